//! Moving around: scrolling panes and the help or picker list, pages, top and bottom, and
//! undo/redo in the focused editor.

use crate::app::{App, Effect, Mode, Overlay, Pane};

impl App {
    pub(super) fn scroll_focused(&mut self, delta: i16) -> Vec<Effect> {
        if matches!(self.overlay, Some(Overlay::Requests)) {
            return self.move_served(isize::from(delta));
        }
        if let Some(&Overlay::Picker { selected, .. }) = self.overlay.as_ref() {
            let moved = self.picker_move(selected, delta);
            if let Some(Overlay::Picker { selected, .. }) = &mut self.overlay {
                *selected = moved;
            }
            return Vec::new();
        }
        if let Some(Overlay::ConfirmOverwrite { scroll }) = &mut self.overlay {
            // Bounded by the difference's lines; the question shows the last page at most.
            let max = self
                .workspace
                .save_conflict
                .as_ref()
                .map_or(0, |c| c.lines.len());
            *scroll = scroll
                .saturating_add_signed(delta)
                .min(u16::try_from(max).unwrap_or(u16::MAX));
            return Vec::new();
        }
        if matches!(self.overlay, Some(Overlay::ConfirmQuit | Overlay::Recover)) {
            // Nothing to scroll in these questions (and the panes under them stay put).
            return Vec::new();
        }
        if let Some(&Overlay::Help { scroll }) = self.overlay.as_ref() {
            // As the last frame wrapped the help; before it is drawn, one line per binding, a
            // heading and a blank line per layer and the notes.
            let (rows, visible) = self.chrome.areas.help.unwrap_or_else(|| {
                (
                    self.chrome.keymap.bindings().len()
                        + 2 * crate::app::keymap::Layer::ALL.len()
                        + 6,
                    usize::from(self.chrome.size.1.saturating_sub(4)).max(1),
                )
            });
            let max = u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX);
            self.overlay = Some(Overlay::Help {
                scroll: scroll.saturating_add_signed(delta).min(max),
            });
            return Vec::new();
        }
        self.scroll_pane(self.chrome.focus, delta)
    }

    pub(super) fn page(&mut self, down: bool) -> Vec<Effect> {
        let h = i16::try_from(self.chrome.size.1 / 2).unwrap_or(10).max(1);
        if matches!(self.overlay, Some(Overlay::Help { .. })) {
            return self.scroll_focused(if down { h } else { -h });
        }
        match self.chrome.focus {
            Pane::Template => {
                self.template_editor.page(down);
                self.highlight_if_needed().into_iter().collect()
            }
            Pane::Request if self.chrome.mode == Mode::Editing => {
                self.request_editor.page(down);
                Vec::new()
            }
            p => self.scroll_pane(p, if down { h } else { -h }),
        }
    }

    pub(super) fn jump(&mut self, top: bool) -> Vec<Effect> {
        if matches!(self.overlay, Some(Overlay::Requests)) {
            return self.move_served(if top { isize::MIN } else { isize::MAX });
        }
        if matches!(self.overlay, Some(Overlay::Help { .. })) {
            return self.scroll_focused(if top { i16::MIN } else { i16::MAX });
        }
        match self.chrome.focus {
            Pane::Template => {
                self.template_editor.jump(top);
                self.highlight_if_needed().into_iter().collect()
            }
            Pane::Request if self.chrome.mode == Mode::Editing => {
                self.request_editor.jump(top);
                Vec::new()
            }
            p => {
                self.chrome.scroll[p.index()] = if top { 0 } else { self.max_scroll(p) };
                Vec::new()
            }
        }
    }

    pub(super) fn undo_redo(&mut self, undo: bool) -> Vec<Effect> {
        // An applied settings change (e, E, B) first when it was the last edit, or when the
        // focused pane holds no editor (see `settings_undo`).
        if self.settings_undo_first(undo) {
            return self.undo_settings(undo);
        }
        let editor = match self.chrome.focus {
            Pane::Template => &mut self.template_editor,
            Pane::Request => &mut self.request_editor,
            _ => return Vec::new(),
        };
        let changed = if undo { editor.undo() } else { editor.redo() };
        match (changed, self.chrome.focus) {
            (true, Pane::Template) => self.template_changed(),
            (true, Pane::Request) => self.request_changed(),
            _ => Vec::new(),
        }
    }
}
