//! Overlays: the key help (generated from the keymap), the quit confirmation, and the
//! too-small message.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::view_model::Tok;
use crate::app::{Action, App};
use crate::ui::layout::{MIN_HEIGHT, MIN_WIDTH};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// The help overlay.
pub fn draw_help(f: &mut Frame, app: &App, scroll: u16) {
    let theme = app.theme();
    let area = centered(f.area(), 76, f.area().height.saturating_sub(2));
    let close = app
        .keymap()
        .keys(Layer::Help, Action::Help)
        .unwrap_or_default();
    let key = |a| app.keymap().first_key(Layer::Help, a).unwrap_or_default();
    let (down, up) = (key(Action::ScrollDown), key(Action::ScrollUp));
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(" Keys ", theme.title(true))))
        .title_bottom(Line::from(Span::styled(
            format!(" {close} close · {down}/{up} scroll "),
            theme.muted(),
        )));
    let mut lines = Vec::new();
    for layer in Layer::ALL {
        lines.push(Line::from(Span::styled(layer.title(), theme.title(true))));
        // Force-quit works everywhere; it is listed once, under the first layer.
        let listed = |b: &&crate::app::keymap::Binding| {
            b.layer == layer && (b.action != Action::ForceQuit || layer == Layer::Normal)
        };
        for b in app.keymap().bindings().iter().filter(listed) {
            let keys = b
                .keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.key_hint()),
                Span::styled(b.action.description(), theme.text()),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        "In the editor: arrows move, shift+arrows select, alt+a selects all, alt+c / ctrl+x / ctrl+y copy, cut and paste within the editor, ctrl+home / ctrl+end go to the top / bottom; pasting from the terminal works too.",
        theme.muted(),
    )));
    lines.push(Line::from(Span::styled(
        format!(
            "Stages: the strip shows the request's trip through the gateway (✓ done, ✗ failed, \
             – skipped); {next}/{prev} step to the next / previous stage, and the panes that \
             stage reads or writes are marked ● in their titles (and drawn in its colour), so \
             you see where the request is and what changed it.",
            next = app
                .keymap()
                .first_key(Layer::Normal, Action::NextStage)
                .unwrap_or_default(),
            prev = app
                .keymap()
                .first_key(Layer::Normal, Action::PrevStage)
                .unwrap_or_default(),
        ),
        theme.muted(),
    )));
    lines.push(Line::from(Span::styled(
        "Mouse: click a pane to focus it; the wheel scrolls the pane under the pointer.",
        theme.muted(),
    )));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

/// The "quit without saving?" question.
pub fn draw_confirm_quit(f: &mut Frame, app: &App) {
    let save = app
        .keymap()
        .first_key(Layer::Normal, Action::Save)
        .unwrap_or_default();
    draw_yes_no(
        f,
        app,
        " Unsaved changes ",
        "Quit without saving your edits?",
        ("quit without saving", &format!("go back ({save} saves)")),
        None,
    );
}

/// A yes/no question over the screen: what yes and no do (the confirm layer's keys), and an
/// optional footnote.
pub fn draw_yes_no(
    f: &mut Frame,
    app: &App,
    title: &str,
    question: &str,
    (yes, no): (&str, &str),
    footnote: Option<&str>,
) {
    let theme = app.theme();
    let before = vec![Line::from(Span::styled(question.to_string(), theme.text()))];
    let after: Vec<Line> = footnote
        .map(|n| Line::from(Span::styled(n.to_string(), theme.muted())))
        .into_iter()
        .collect();
    let width = if footnote.is_some() { 64 } else { 54 };
    draw_question(f, app, title, before, (yes, no), after, width);
}

/// A question over the screen, `width` columns wide and as high as its lines: the lines
/// `before`, then what yes and no do (the confirm layer's keys), then the lines `after`.
fn draw_question(
    f: &mut Frame,
    app: &App,
    title: &str,
    before: Vec<Line<'static>>,
    (yes, no): (&str, &str),
    after: Vec<Line<'static>>,
    width: u16,
) {
    let theme = app.theme();
    let key = |action| {
        app.keymap()
            .keys(Layer::Confirm, action)
            .unwrap_or_default()
    };
    let mut lines = before;
    lines.extend([
        Line::from(vec![
            Span::styled(format!("  {}", key(Action::ConfirmYes)), theme.key_hint()),
            Span::styled(format!("  {yes}"), theme.text()),
        ]),
        Line::from(vec![
            Span::styled(format!("  {}", key(Action::ConfirmNo)), theme.key_hint()),
            Span::styled(format!("  {no}"), theme.text()),
        ]),
    ]);
    lines.extend(after);
    // Borders, and a spare line for a question that wraps.
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    let area = centered(f.area(), width, height);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.warning())
        .title(Line::from(Span::styled(title.to_string(), theme.warning())));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// "Unsaved edits: save them, discard them, or stay?" before opening another session. The
/// keys are the unsaved-edits layer's.
pub fn draw_confirm_open(f: &mut Frame, app: &App) {
    let Some(path) = app.confirm_open_path() else {
        return;
    };
    let theme = app.theme();
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let key = |action| {
        app.keymap()
            .keys(Layer::Unsaved, action)
            .unwrap_or_default()
    };
    let choice = |action, what: String| {
        Line::from(vec![
            Span::styled(format!("  {:<9}", key(action)), theme.key_hint()),
            Span::styled(what, theme.text()),
        ])
    };
    let lines = vec![
        Line::from(Span::styled(
            format!("This session has unsaved edits. Open {name}?"),
            theme.text(),
        )),
        Line::default(),
        choice(Action::SaveFirst, format!("save them, then open {name}")),
        choice(Action::Discard, format!("discard them, then open {name}")),
        choice(
            Action::ConfirmNo,
            "stay here (back to the list)".to_string(),
        ),
    ];
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(3);
    let area = centered(f.area(), 62, height);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.warning())
        .title(Line::from(Span::styled(
            " Unsaved changes ",
            theme.warning(),
        )));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// "Restore the unsaved edits of a previous run?"
pub fn draw_recover(f: &mut Frame, app: &App) {
    let file = app
        .recovery()
        .map(|r| r.file.display().to_string())
        .unwrap_or_default();
    draw_yes_no(
        f,
        app,
        " Unsaved edits found ",
        "A previous run ended with unsaved edits to this session.",
        ("restore them", "discard them"),
        Some(&format!("({file})")),
    );
}

/// "The session file changed on disk since it was opened: overwrite it?", with the first
/// lines of what differs.
pub fn draw_confirm_overwrite(f: &mut Frame, app: &App) {
    let Some(c) = app.save_conflict() else {
        return;
    };
    let theme = app.theme();
    let mut before = vec![
        Line::from(Span::styled(
            format!("{} changed since it was opened.", c.path.display()),
            theme.text(),
        )),
        Line::from(Span::styled(c.summary(), theme.muted())),
    ];
    before.extend(c.lines.iter().map(|l| {
        let style = match l.as_bytes().first() {
            Some(b'+') => theme.token(Tok::Added),
            Some(b'-') => theme.token(Tok::Removed),
            _ => theme.muted(),
        };
        Line::from(Span::styled(l.clone(), style))
    }));
    before.push(Line::default());
    draw_question(
        f,
        app,
        " File changed on disk ",
        before,
        (
            "overwrite it with your edits",
            "leave the file as it is (your edits stay here, autosaved)",
        ),
        Vec::new(),
        76,
    );
}

/// The terminal is smaller than the minimum.
pub fn draw_too_small(f: &mut Frame, app: &App) {
    let area = f.area();
    let quit = app
        .keymap()
        .first_key(Layer::Normal, Action::Quit)
        .unwrap_or_default();
    let msg = format!(
        "gatebench needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {}x{}. Enlarge it, or press {quit} to quit.",
        area.width, area.height
    );
    f.render_widget(
        Paragraph::new(Span::styled(msg, app.theme().warning())).wrap(Wrap { trim: true }),
        area,
    );
}
