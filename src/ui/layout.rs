//! Where each pane goes, for a terminal size. The frame records what it laid out as
//! [`Areas`]; the runtime finds the pane under the mouse there, so clicks and drawing always
//! agree, and `update` never lays out.
//!
//! - Wide (120x30 and up): three columns. Request and Integration | Template and Rendered |
//!   Backend, Client response and Log.
//! - Narrow (from 60x16): Template and Rendered on the left half; on the right half (40
//!   columns at 80x24, wide enough to read a reason) one pane of a tab
//!   stack (Request, Integration, Backend, Client response, Log): the focused one, or the one
//!   the current stage is about.
//! - Zoom: the focused pane takes the whole pane area.
//! - Smaller than 60x16: one message.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::view_model::{Areas, PaneArea};
use crate::app::{App, Pane};
use crate::gateway::trace::Stage;

/// The smallest usable terminal.
pub const MIN_WIDTH: u16 = 60;
/// The smallest usable terminal.
pub const MIN_HEIGHT: u16 = 16;
/// From this size on, all panes are shown at once.
pub const WIDE_WIDTH: u16 = 120;
/// From this size on, all panes are shown at once.
pub const WIDE_HEIGHT: u16 = 30;

/// The panes stacked as tabs on narrow screens.
pub const STACK: [Pane; 5] = [
    Pane::Request,
    Pane::Integration,
    Pane::Backend,
    Pane::Response,
    Pane::Log,
];

/// The areas of one frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Screen {
    /// The stage strip (one line).
    pub strip: Rect,
    /// The current stage's explanation (one or two lines).
    pub explanation: Rect,
    /// Visible panes and their areas.
    pub panes: Vec<(Pane, Rect)>,
    /// The tab bar of the narrow layout's stack (one line), if shown.
    pub tabs: Option<Rect>,
    /// The status bar (one line).
    pub status: Rect,
}

/// The stack pane a stage is about (narrow layout, when focus is elsewhere).
pub fn stack_pane_for(stage: Stage) -> Pane {
    match stage {
        Stage::Routing | Stage::MethodRequest => Pane::Request,
        Stage::IntegrationRequest => Pane::Integration,
        Stage::Authorization | Stage::Backend | Stage::IntegrationResponse => Pane::Backend,
        Stage::MethodResponse => Pane::Response,
    }
}

/// The short name of a pane in the narrow layout's tab bar.
pub fn tab_label(pane: Pane) -> &'static str {
    match pane {
        Pane::Request => "Req",
        Pane::Integration => "Int",
        Pane::Backend => "Back",
        Pane::Response => "Resp",
        Pane::Log => "Log",
        Pane::Template => "Tmpl",
        Pane::Rendered => "Out",
    }
}

/// Whether the layout at this size shows every pane.
pub fn is_wide(area: Rect) -> bool {
    area.width >= WIDE_WIDTH && area.height >= WIDE_HEIGHT
}

/// Lay out a frame; `None` when the terminal is too small.
pub fn screen(app: &App, area: Rect) -> Option<Screen> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let explanation_height = 2;
    let [strip, explanation, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(explanation_height),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut out = Screen {
        strip,
        explanation,
        panes: Vec::new(),
        tabs: None,
        status,
    };
    if app.zoomed() {
        out.panes.push((app.focus(), body));
        return Some(out);
    }
    if is_wide(area) {
        let [c1, c2, c3] = Layout::horizontal([
            Constraint::Percentage(28),
            Constraint::Percentage(40),
            Constraint::Percentage(32),
        ])
        .areas(body);
        let [request, integration] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(c1);
        let [template, rendered] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(c2);
        let [backend, response, log] = Layout::vertical([
            Constraint::Percentage(40),
            Constraint::Percentage(35),
            Constraint::Percentage(25),
        ])
        .areas(c3);
        out.panes = vec![
            (Pane::Request, request),
            (Pane::Integration, integration),
            (Pane::Template, template),
            (Pane::Rendered, rendered),
            (Pane::Backend, backend),
            (Pane::Response, response),
            (Pane::Log, log),
        ];
    } else {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        let [template, rendered] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(left);
        let [tabs, stacked] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(right);
        let shown = if STACK.contains(&app.focus()) {
            app.focus()
        } else {
            stack_pane_for(app.stage())
        };
        out.panes = vec![
            (Pane::Template, template),
            (Pane::Rendered, rendered),
            (shown, stacked),
        ];
        out.tabs = Some(tabs);
    }
    Some(out)
}

/// What a frame laid out by `screen` records: each pane's area (with the Integration pane's
/// wrapped row count) and each tab of the narrow layout's tab bar.
pub fn areas(app: &App, screen: &Screen) -> Areas {
    let panes = screen
        .panes
        .iter()
        .map(|&(pane, rect)| PaneArea {
            pane,
            rect,
            wrapped_rows: (pane == Pane::Integration).then(|| {
                crate::ui::panes::integration::content_rows(app, rect.width.saturating_sub(2))
            }),
        })
        .collect();
    let mut tabs = Vec::new();
    if let Some(bar) = screen.tabs {
        // Each tab is drawn as ` label `.
        let mut left = bar.x;
        for p in STACK {
            let w = u16::try_from(tab_label(p).len() + 2).unwrap_or(u16::MAX);
            let tab = Rect::new(left, bar.y, w, 1).intersection(bar);
            if !tab.is_empty() {
                tabs.push((p, tab));
            }
            left = left.saturating_add(w);
        }
    }
    Areas {
        panes,
        tabs,
        compare: None,
        help: None,
    }
}

/// The pane at a screen position (a click on a tab of the narrow layout counts as its pane).
pub fn pane_at(app: &App, area: Rect, x: u16, y: u16) -> Option<Pane> {
    areas(app, &screen(app, area)?).pane_at(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppOptions;
    use crate::session::Session;

    fn app() -> App {
        App::new(Session::builtin_default(), None, AppOptions::default())
    }

    #[test]
    fn sizes() {
        let a = app();
        assert!(screen(&a, Rect::new(0, 0, 59, 24)).is_none());
        assert!(screen(&a, Rect::new(0, 0, 80, 15)).is_none());
        let narrow = screen(&a, Rect::new(0, 0, 80, 24)).unwrap();
        assert_eq!(narrow.panes.len(), 3);
        assert!(narrow.tabs.is_some());
        let wide = screen(&a, Rect::new(0, 0, 120, 40)).unwrap();
        assert_eq!(wide.panes.len(), 7);
        for (_, r) in &wide.panes {
            assert!(r.height >= 5 && r.width >= 20, "{r:?}");
        }
        // At 80x24 the right column is wide enough to read a reason.
        let (_, right) = narrow.panes[2];
        assert!(right.width >= 40, "{right:?}");
    }

    #[test]
    fn pane_at_finds_the_template() {
        let a = app();
        let area = Rect::new(0, 0, 120, 40);
        let s = screen(&a, area).unwrap();
        let (_, r) = s.panes.iter().find(|(p, _)| *p == Pane::Template).unwrap();
        assert_eq!(pane_at(&a, area, r.x + 1, r.y + 1), Some(Pane::Template));
        assert_eq!(pane_at(&a, area, 0, 0), None);
    }

    #[test]
    fn tabs_are_clickable() {
        let a = app();
        let area = Rect::new(0, 0, 80, 24);
        let tabs = screen(&a, area).unwrap().tabs.unwrap();
        // " Req  Int  Back  Resp  Log "
        assert_eq!(pane_at(&a, area, tabs.x + 1, tabs.y), Some(Pane::Request));
        assert_eq!(
            pane_at(&a, area, tabs.x + 6, tabs.y),
            Some(Pane::Integration)
        );
        assert_eq!(pane_at(&a, area, tabs.x + 24, tabs.y), Some(Pane::Log));
        assert_eq!(pane_at(&a, area, tabs.x + 30, tabs.y), None);
    }
}
