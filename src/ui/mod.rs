//! Drawing: `view(&App, &mut Frame)` reads the model and draws panes, the stage strip, the
//! status bar and overlays, and returns the [`Areas`] it drew the panes at (the runtime routes
//! the mouse by them). It never changes the model, spawns work or does I/O.

pub mod highlight;
pub mod layout;
pub mod panes;
pub mod style;
pub mod widgets;

use ratatui::Frame;

use crate::app::view_model::Areas;
use crate::app::{App, Overlay};

/// Draw one frame; returns where the panes went (empty when the terminal is too small), and
/// how many rows the help overlay has while it is open.
pub fn view(app: &App, f: &mut Frame) -> Areas {
    // The compare view takes the whole screen, at any size.
    if let Some(compare) = app.compare() {
        let drawn = panes::compare::draw(f, app, compare);
        app.theme().paint_background(f.buffer_mut());
        return Areas {
            compare: Some(drawn),
            ..Areas::default()
        };
    }
    let Some(screen) = layout::screen(app, f.area()) else {
        panes::help::draw_too_small(f, app);
        app.theme().paint_background(f.buffer_mut());
        return Areas::default();
    };
    panes::stages::draw(f, app, screen.strip, screen.explanation);
    for (pane, area) in &screen.panes {
        panes::draw(f, app, *pane, *area);
    }
    if let (Some(tabs), Some((shown, _))) = (screen.tabs, screen.panes.last()) {
        panes::draw_tabs(f, app, tabs, *shown);
    }
    panes::status::draw(f, app, screen.status);
    match app.overlay() {
        Some(&Overlay::Help { scroll }) => panes::help::draw_help(f, app, scroll),
        Some(Overlay::ConfirmQuit) => panes::question::draw_confirm_quit(f, app),
        Some(Overlay::Recover) => panes::question::draw_recover(f, app),
        Some(Overlay::ConfirmOverwrite { .. }) => panes::question::draw_confirm_overwrite(f, app),
        Some(&Overlay::Picker { selected, .. }) => panes::picker::draw(f, app, selected),
        Some(Overlay::Requests) => panes::requests::draw(f, app),
        Some(Overlay::ImportPath) => panes::import::draw_path(f, app),
        Some(&Overlay::Operations { selected }) => panes::import::draw_operations(f, app, selected),
        Some(&Overlay::ImportWarnings { scroll }) => panes::import::draw_warnings(f, app, scroll),
        Some(Overlay::Curl) => panes::curl::draw(f, app),
        Some(Overlay::Settings(edit)) => panes::settings::draw(f, app, edit.step()),
        Some(Overlay::ConfirmOpen { .. }) => panes::question::draw_confirm_open(f, app),
        // Drawn above, in place of the panes.
        Some(Overlay::Compare(_)) => {}
        Some(&Overlay::Lint { selected }) => panes::lint::draw(f, app, selected),
        // The search prompt replaces the status bar (drawn there).
        Some(Overlay::Search) => {}
        None => {}
    }
    app.theme().paint_background(f.buffer_mut());
    let mut areas = layout::areas(app, &screen);
    // The help's rows bound its scrolling.
    if let Some(Overlay::Help { .. }) = app.overlay() {
        areas.help = Some(panes::help::extent(app, f.area()));
    }
    areas
}
