//! Drawing the text editor: its state lives in the model (`app/editor.rs`); here the theme
//! becomes the editor's look, and the styled textarea is drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::app::editor::{Editor, EditorLook};
use crate::ui::style::Theme;

/// The editor styles of a theme.
pub fn look(theme: &Theme) -> EditorLook {
    EditorLook {
        text: theme.text(),
        line_number: theme.line_number(),
        selection: theme.selection(),
        cursor: theme.cursor(),
        cursor_line: theme.cursor_line(),
        error_marker: theme.error_marker(),
        search_match: theme.search_match(false),
        search_current: theme.search_match(true),
    }
}

/// Draw `editor` into `area` of `buf`, styled by `theme`.
pub fn draw(editor: &Editor, theme: &Theme, area: Rect, buf: &mut Buffer) {
    (&*editor.styled(look(theme))).render(area, buf);
}
