//! The status bar: mode, unsaved marker, the latest message (or the template error), and key
//! hints generated from the keymap.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::keymap::Layer;
use crate::app::{Action, App, Mode, Overlay, SettingsStep, StatusKind};

/// The hints shown in the status bar per layer.
const NORMAL_HINTS: [Action; 9] = [
    Action::Help,
    Action::Quit,
    Action::FocusNext,
    Action::Edit,
    Action::NextStage,
    Action::RunAll,
    Action::Send,
    Action::CycleType,
    Action::Save,
];
const EDIT_HINTS: [Action; 5] = [
    Action::LeaveEdit,
    Action::Undo,
    Action::Redo,
    Action::Search,
    Action::Save,
];
const SEARCH_HINTS: [Action; 3] = [Action::SearchNext, Action::SearchPrev, Action::Cancel];
const MATCHES_HINTS: [Action; 4] = [
    Action::SearchNext,
    Action::SearchPrev,
    Action::Search,
    Action::Cancel,
];
const SETTINGS_HINTS: [Action; 5] = [
    Action::Apply,
    Action::Cancel,
    Action::Undo,
    Action::Redo,
    Action::Search,
];

/// Draw the status bar.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let searching = matches!(app.overlay(), Some(Overlay::Search))
        || app.settings_step() == Some(SettingsStep::Searching);
    let settings = app.settings_step() == Some(SettingsStep::Editing);
    let found = app.search_found().filter(|_| searching);
    let (layer, actions): (Layer, &[Action]) = match (searching, settings, app.mode()) {
        (true, _, _) if found.is_some() => (Layer::Matches, &MATCHES_HINTS),
        (true, _, _) => (Layer::Search, &SEARCH_HINTS),
        (false, true, _) => (Layer::Settings, &SETTINGS_HINTS),
        (false, false, Mode::Normal) => (Layer::Normal, &NORMAL_HINTS),
        (false, false, Mode::Editing) => (Layer::Editing, &EDIT_HINTS),
    };
    let badge = match (searching, settings, app.mode()) {
        (true, _, _) => " SEARCH ",
        (false, true, _) | (false, false, Mode::Editing) => " EDIT ",
        (false, false, Mode::Normal) => " NORMAL ",
    };
    let mut left = vec![Span::styled(badge, theme.stage_active())];
    if app.is_dirty() {
        left.push(Span::styled(" [+]", theme.warning()));
    }
    if app.origin().imported_from().is_some() {
        // Imported and never saved: no file holds it yet.
        left.push(Span::styled(" [new]", theme.warning()));
    }
    match app.listen().state() {
        crate::app::listen::Listening::On { addr } => left.push(Span::styled(
            format!(
                " ● {addr}{} ({})",
                if addr.ip().is_loopback() {
                    ""
                } else {
                    " REMOTE"
                },
                app.listen().total()
            ),
            if addr.ip().is_loopback() {
                theme.success()
            } else {
                theme.warning()
            },
        )),
        crate::app::listen::Listening::Starting { .. } => {
            left.push(Span::styled(" ○ starting", theme.muted()));
        }
        crate::app::listen::Listening::Off => {}
    }
    let waiting = app.listen().paused().len();
    if waiting > 0 {
        left.push(Span::styled(
            format!(" ⏸ {waiting} paused"),
            theme.warning(),
        ));
    } else if app.listen().breakpoint() {
        left.push(Span::styled(" ⏸ break", theme.warning()));
    }
    left.push(Span::raw(" "));
    if searching {
        left.push(Span::styled(
            format!("/{}", app.search_query()),
            theme.text(),
        ));
        match found {
            // Which match of how many, beside the query.
            Some((n, total)) => left.push(Span::styled(
                format!(" {n}/{total}{}", if total >= 100_000 { "+" } else { "" }),
                theme.key_hint(),
            )),
            None => left.push(Span::styled("▏", theme.key_hint())),
        }
        if let Some(s) = app.status() {
            left.push(Span::styled(format!("  {}", s.text), theme.muted()));
        }
    } else if let Some(s) = app.status() {
        let style = match s.kind {
            StatusKind::Info => theme.text(),
            StatusKind::Success => theme.success(),
            StatusKind::Error => theme.error(),
        };
        let mark = match s.kind {
            StatusKind::Error => "✗ ",
            StatusKind::Success => "✓ ",
            StatusKind::Info => "",
        };
        left.push(Span::styled(format!("{mark}{}", s.text), style));
    } else if let Some(e) = app.template_error() {
        left.push(Span::styled(
            format!("✗ template {}:{}: {}", e.line, e.col, e.message),
            theme.error(),
        ));
    }
    let left_w: usize = left.iter().map(Span::width).sum();
    // The message wins; hints fill what is left, in order, whole hints only.
    let mut room = (area.width as usize).saturating_sub(left_w + 1);
    let mut right = Vec::new();
    for a in actions {
        if let Some((key, label)) = app.keymap().hint(layer, *a) {
            let k = Span::styled(key, theme.key_hint());
            let l = Span::styled(format!(" {label}  "), theme.muted());
            let w = k.width() + l.width();
            if w > room {
                break;
            }
            room -= w;
            right.push(k);
            right.push(l);
        }
    }
    let right_w: usize = right.iter().map(Span::width).sum();
    let [l, r] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(u16::try_from(right_w).unwrap_or(0)),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(Line::from(left)), l);
    if right_w > 0 {
        f.render_widget(Paragraph::new(Line::from(right)), r);
    }
}
