//! Questions over the screen: quit without saving, open another session with unsaved edits,
//! restore unsaved edits, discard unapplied settings, and "the file changed on disk: overwrite it?". A question is as high as its
//! text, bounded by the screen: its head (the question) and the keys that answer it are
//! always on screen, and a body too long for the screen (a long difference) scrolls.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::view_model::Tok;
use crate::app::{Action, App, Overlay};
use crate::ui::widgets::text_view;

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
    let head = vec![Line::from(Span::styled(question.to_string(), theme.text()))];
    let after: Vec<Line> = footnote
        .map(|n| Line::from(Span::styled(n.to_string(), theme.muted())))
        .into_iter()
        .collect();
    let width = if footnote.is_some() { 64 } else { 54 };
    draw_question(
        f,
        app,
        &Question {
            title,
            head,
            body: Vec::new(),
            scroll: 0,
            answers: (yes, no),
            after,
            width,
        },
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

/// "The session file changed on disk since it was opened: overwrite it?", with what differs
/// (scrolled by the overlay's offset).
pub fn draw_confirm_overwrite(f: &mut Frame, app: &App) {
    let Some(c) = app.save_conflict() else {
        return;
    };
    let scroll = match app.overlay() {
        Some(Overlay::ConfirmOverwrite { scroll }) => *scroll,
        _ => 0,
    };
    let theme = app.theme();
    const WIDTH: u16 = 76;
    // The path on one row, cut from the left when long (its file name stays), so the
    // difference gets the rows.
    let what = " changed since it was opened.";
    let inner = usize::from(WIDTH.min(f.area().width).saturating_sub(2));
    let path = left_cut(
        &c.path.display().to_string(),
        inner.saturating_sub(what.chars().count()),
    );
    let head = vec![
        Line::from(Span::styled(format!("{path}{what}"), theme.text())),
        Line::from(Span::styled(c.summary(), theme.muted())),
    ];
    let mut body: Vec<Line> = c
        .lines
        .iter()
        .map(|l| {
            let style = match l.as_bytes().first() {
                Some(b'+') => theme.token(Tok::Added),
                Some(b'-') => theme.token(Tok::Removed),
                _ => theme.muted(),
            };
            Line::from(Span::styled(l.clone(), style))
        })
        .collect();
    body.push(Line::default());
    draw_question(
        f,
        app,
        &Question {
            title: " File changed on disk ",
            head,
            body,
            scroll,
            answers: (
                "overwrite it with your edits",
                "leave the file alone (your edits stay, autosaved)",
            ),
            after: Vec::new(),
            width: WIDTH,
        },
    );
}

/// What a question shows.
struct Question<'a> {
    /// The border's title.
    title: &'a str,
    /// The question: always shown, first.
    head: Vec<Line<'static>>,
    /// Shown below the head, scrolled by `scroll` when the screen is too small for it.
    body: Vec<Line<'static>>,
    /// The body's scroll offset (rows).
    scroll: u16,
    /// What yes and no do: always shown, after the body.
    answers: (&'a str, &'a str),
    /// Shown after the answers (a footnote), when there is room.
    after: Vec<Line<'static>>,
    /// The widest it gets.
    width: u16,
}

/// Draw a question centred on the screen, as high as its rows (long lines wrap), bounded by
/// the screen: the answers first get their rows, then the head, then the body (scrolled, its
/// position in the bottom border), then the footnote.
fn draw_question(f: &mut Frame, app: &App, q: &Question<'_>) {
    let theme = app.theme();
    let screen = f.area();
    let width = q.width.min(screen.width);
    let inner_w = usize::from(width.saturating_sub(2)).max(1);
    let key = |layer, action| app.keymap().keys(layer, action).unwrap_or_default();
    let answers = [
        (key(Layer::Confirm, Action::ConfirmYes), q.answers.0),
        (key(Layer::Confirm, Action::ConfirmNo), q.answers.1),
    ]
    .map(|(k, what)| {
        Line::from(vec![
            Span::styled(format!("  {k}"), theme.key_hint()),
            Span::styled(format!("  {what}"), theme.text()),
        ])
    });
    let wrap = |lines: &[Line<'static>]| -> Vec<Line<'static>> {
        lines
            .iter()
            .flat_map(|l| text_view::wrap_line(l.clone(), inner_w))
            .collect()
    };
    let (head, body, answers, after) =
        (wrap(&q.head), wrap(&q.body), wrap(&answers), wrap(&q.after));
    // Rows inside the borders, given out in order of need.
    let mut room = usize::from(screen.height.saturating_sub(2));
    let mut take = |want: usize| {
        let got = want.min(room);
        room -= got;
        got
    };
    let answers_h = take(answers.len());
    let head_h = take(head.len());
    let body_h = take(body.len());
    let after_h = take(after.len());
    let scroll = usize::from(q.scroll).min(body.len().saturating_sub(body_h));
    let height = u16::try_from(answers_h + head_h + body_h + after_h + 2).unwrap_or(u16::MAX);
    let area = centered(screen, width, height);
    let mut block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.warning())
        .title(Line::from(Span::styled(
            q.title.to_string(),
            theme.warning(),
        )));
    if body_h < body.len() {
        let first = |a| {
            app.keymap()
                .first_key(Layer::Confirm, a)
                .unwrap_or_default()
        };
        block = block.title_bottom(Line::from(Span::styled(
            format!(
                " {}/{} scroll · rows {}-{} of {} ",
                first(Action::ScrollDown),
                first(Action::ScrollUp),
                scroll + 1,
                scroll + body_h,
                body.len()
            ),
            theme.muted(),
        )));
    }
    let inner = block.inner(area);
    f.render_widget(Clear, area);
    f.render_widget(block, area);
    let h = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(u16::MAX));
    let [head_area, body_area, answers_area, after_area] =
        Layout::vertical([h(head_h), h(body_h), h(answers_h), h(after_h)]).areas(inner);
    let rows = |lines: &[Line<'static>], skip: usize, n: usize| {
        Paragraph::new(lines.iter().skip(skip).take(n).cloned().collect::<Vec<_>>())
    };
    f.render_widget(rows(&head, 0, head_h), head_area);
    f.render_widget(rows(&body, scroll, body_h), body_area);
    f.render_widget(rows(&answers, 0, answers_h), answers_area);
    f.render_widget(rows(&after, 0, after_h), after_area);
}

/// `text` in at most `width` columns: its end, after `…`, when it is longer (a path keeps its
/// file name). Never less than its last 12 characters.
fn left_cut(text: &str, width: usize) -> String {
    let n = text.chars().count();
    let width = width.max(13);
    if n <= width {
        return text.to_string();
    }
    let tail: String = text.chars().skip(n - (width - 1)).collect();
    format!("…{tail}")
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
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
