//! Drawing the text editor: its state lives in the model (`app/editor.rs`); here the theme
//! becomes the editor's look, and the styled textarea is drawn.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::app::editor::{Editor, EditorLook};
use crate::app::lint_view::Level;
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

/// [`draw`], then mark the text rows in `marks` (0-based row, how serious) in the gutter:
/// the first column, before the line number, on the first screen row of each marked row.
pub fn draw_marked(
    editor: &Editor,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
    marks: &[(usize, Level)],
) {
    draw(editor, theme, area, buf);
    if marks.is_empty() || area.width == 0 {
        return;
    }
    let right = area.x + area.width - 1;
    let mut previous = None;
    for y in area.y..area.y + area.height {
        let row = editor.row_at(ratatui::layout::Position::new(right, y));
        if row.is_none() || row == previous {
            continue;
        }
        previous = row;
        let Some(level) =
            row.and_then(|r| marks.iter().filter(|(m, _)| *m == r).map(|(_, l)| *l).max())
        else {
            continue;
        };
        let (symbol, style) = match level {
            Level::Error => ("✗", theme.error()),
            Level::Warning => ("!", theme.warning()),
            Level::Info => ("·", theme.muted()),
        };
        // Only over the blank before the line number (never over text scrolled there).
        if let Some(cell) = buf.cell_mut((area.x, y))
            && cell.symbol() == " "
        {
            cell.set_symbol(symbol).set_style(style);
        }
    }
}
