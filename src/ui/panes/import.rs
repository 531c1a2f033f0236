//! The import overlays: the path prompt (with completion candidates or the error), the
//! operations of the imported API, and its warnings. Keys in the borders come from the
//! keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::import_dialog::PathNote;
use crate::app::keymap::Layer;
use crate::app::{Action, App};
use crate::ui::style::Theme;

/// A box of at most `width` x `height`, centred, two cells clear of the edges.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(
        area.height.saturating_sub(4).min(height),
    )])
    .flex(Flex::Center)
    .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(area.width.saturating_sub(4).min(width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// Key hints for a border: `enter import  tab complete  esc close`, with our own labels.
pub fn border_hints<'a>(
    app: &App,
    layer: Layer,
    hints: &[(Action, &'a str)],
    theme: &Theme,
) -> Line<'a> {
    let mut spans = vec![Span::raw(" ")];
    for (action, label) in hints {
        if let Some(key) = app.keymap().first_key(layer, *action) {
            spans.push(Span::styled(key, theme.key_hint()));
            spans.push(Span::styled(format!(" {label}  "), theme.muted()));
        }
    }
    Line::from(spans)
}

fn frame<'a>(title: String, bottom: Line<'a>, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(title, theme.title(true))))
        .title_bottom(bottom)
}

/// The rows `lines` take when wrapped at `width` columns.
fn wrapped_rows(lines: &[Line<'_>], width: usize) -> usize {
    lines
        .iter()
        .map(|l| l.width().div_ceil(width.max(1)).max(1))
        .sum()
}

/// The path prompt, as tall as what it shows.
pub fn draw_path(f: &mut Frame, app: &App) {
    let theme = app.theme();
    let width = f.area().width.saturating_sub(4).min(90);
    let inner_w = usize::from(width.saturating_sub(2));
    let state = app.import();
    // Keep the end of a long path (where typing happens) in view.
    let path = state.path();
    let room = inner_w.saturating_sub(3);
    let shown: String = if path.chars().count() > room {
        let skip = path.chars().count() - room + 1;
        std::iter::once('…')
            .chain(path.chars().skip(skip))
            .collect()
    } else {
        path.to_string()
    };
    let mut lines = vec![
        Line::from(Span::styled(
            "OpenAPI 2/3 (JSON or YAML), CloudFormation or SAM template:",
            theme.muted(),
        )),
        Line::from(vec![
            Span::styled("> ", theme.key_hint()),
            Span::styled(shown, theme.text()),
            Span::styled("▏", theme.key_hint()),
        ]),
    ];
    match state.note() {
        PathNote::None => {}
        PathNote::Listing => lines.push(Line::from(Span::styled(
            "Reading the folder…",
            theme.muted(),
        ))),
        PathNote::Importing => {
            lines.push(Line::from(Span::styled("Importing…", theme.muted())));
        }
        PathNote::Candidates(names) => {
            // As many names per row as fit, like a shell lists them.
            let col = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) + 2;
            let per_row = (inner_w / col.max(1)).max(1);
            for row in names.chunks(per_row) {
                let text: String = row.iter().map(|n| format!("{n:<col$}")).collect();
                lines.push(Line::from(Span::styled(text, theme.text())));
            }
        }
        PathNote::Error(e) => lines.push(Line::from(Span::styled(format!("✗ {e}"), theme.error()))),
    }
    let height = u16::try_from(wrapped_rows(&lines, inner_w) + 2).unwrap_or(u16::MAX);
    let rect = centered(f.area(), width, height.max(5));
    let block = frame(
        " Import an API definition ".to_string(),
        border_hints(
            app,
            Layer::ImportPath,
            &[
                (Action::Submit, "import"),
                (Action::Complete, "complete"),
                (Action::Cancel, "close"),
            ],
            theme,
        ),
        theme,
    );
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// The operations of the imported API, operation `selected` highlighted.
pub fn draw_operations(f: &mut Frame, app: &App, selected: usize) {
    let theme = app.theme();
    let Some(api) = app.import().pending() else {
        return;
    };
    // A summary line, the note about restored edits, the header, one row per operation.
    let rows = 2 + usize::from(api.restored) + api.operations.len();
    let rect = centered(
        f.area(),
        100,
        u16::try_from(rows + 2).unwrap_or(u16::MAX).min(24),
    );
    let file = api.file.file_name().map_or_else(
        || api.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let block = frame(
        format!(" Import {} from {file} ", api.session.name),
        border_hints(
            app,
            Layer::Operations,
            &[
                (Action::Choose, "open"),
                (Action::ToggleWarnings, "warnings"),
                (Action::Save, "save current"),
                (Action::Cancel, "close"),
            ],
            theme,
        ),
        theme,
    );
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let n = api.operations.len();
    let w = api.warnings.len();
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{n} operation{} · ", if n == 1 { "" } else { "s" }),
            theme.text(),
        ),
        if w == 0 {
            Span::styled("no import warnings", theme.success())
        } else {
            let key = app
                .keymap()
                .first_key(Layer::Operations, Action::ToggleWarnings)
                .unwrap_or_default();
            Span::styled(
                format!(
                    "⚠ {w} import warning{} ({key} shows them)",
                    if w == 1 { "" } else { "s" }
                ),
                theme.warning(),
            )
        },
    ])];
    if api.restored {
        lines.push(Line::from(Span::styled(
            "Unsaved edits of an earlier import of this file: they open with it.",
            theme.warning(),
        )));
    }
    let path_w = api
        .operations
        .iter()
        .map(|o| o.path.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, usize::from(inner.width).saturating_sub(24).max(4));
    lines.push(Line::from(Span::styled(
        format!("  {:<8}{:<path_w$}  {}", "METHOD", "PATH", "INTEGRATION"),
        theme.muted(),
    )));
    let h = usize::from(inner.height).saturating_sub(lines.len()).max(1);
    let top = selected.saturating_sub(h - 1);
    for (i, op) in api.operations.iter().enumerate().skip(top).take(h) {
        let is_sel = i == selected;
        let style = if is_sel {
            theme.stage_active()
        } else {
            theme.text()
        };
        let path = crate::ui::widgets::text_view::fit(op.path.clone(), path_w);
        lines.push(Line::from(Span::styled(
            format!(
                "{}{:<8}{path:<path_w$}  {}",
                if is_sel { "▶ " } else { "  " },
                op.verb,
                op.kind.as_str()
            ),
            style,
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// The import's warnings, each as `file:line: message`.
pub fn draw_warnings(f: &mut Frame, app: &App, scroll: u16) {
    let theme = app.theme();
    let rect = centered(f.area(), 100, 24);
    let Some(api) = app.import().pending() else {
        return;
    };
    let block = frame(
        format!(" Import warnings ({}) ", api.warnings.len()),
        border_hints(
            app,
            Layer::Operations,
            &[
                (Action::ToggleWarnings, "operations"),
                (Action::ScrollDown, "down"),
                (Action::ScrollUp, "up"),
            ],
            theme,
        ),
        theme,
    );
    let lines: Vec<Line> = api
        .warnings
        .iter()
        .map(|w| {
            Line::from(vec![
                Span::styled(
                    format!("{}:{}: ", w.file.display(), w.line),
                    theme.warning(),
                ),
                Span::styled(w.message.clone(), theme.text()),
            ])
        })
        .collect();
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        rect,
    );
}
