//! Key bindings: which key asks for which [`Action`] in which layer. Defaults live here in
//! code; overrides name only the actions they change. The help overlay, the status-bar hints
//! and the pane-title hints are all generated from this map, so a remapped key shows up
//! everywhere.

use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::action::Action;

/// Where a key is being interpreted. Routing order: overlays, then the editor (while
/// editing), then the normal layer. Force-quit is checked before all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layer {
    /// Browsing panes.
    Normal,
    /// Typing into an editor: only these keys are taken; the rest go to the editor.
    Editing,
    /// A yes/no question is open.
    Confirm,
    /// The help overlay is open.
    Help,
    /// The search prompt is open: typed characters go to the query.
    Search,
    /// The search found a match: keys move between matches; any other key ends the search
    /// (then does what it does).
    Matches,
    /// The session picker is open.
    Picker,
    /// The list of served requests is open.
    Requests,
    /// The path prompt of an import is open: typed characters go to the path.
    ImportPath,
    /// The operations (or the warnings) of an imported API are shown.
    Operations,
    /// The curl prompt is open: other keys edit the command.
    Curl,
    /// The settings editor is open: other keys edit the TOML text.
    Settings,
    /// Unsaved edits stand in the way of opening another session: save, discard or stay.
    Unsaved,
    /// The compare view is open.
    Compare,
    /// The lint findings of the template are listed.
    Lint,
}

impl Layer {
    /// All layers, in the order the help overlay lists them.
    pub const ALL: [Layer; 15] = [
        Layer::Normal,
        Layer::Editing,
        Layer::Lint,
        Layer::Settings,
        Layer::Search,
        Layer::Matches,
        Layer::Picker,
        Layer::Unsaved,
        Layer::ImportPath,
        Layer::Operations,
        Layer::Curl,
        Layer::Requests,
        Layer::Confirm,
        Layer::Help,
        Layer::Compare,
    ];

    /// A heading for the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Layer::Normal => "Panes",
            Layer::Editing => "While editing (other keys edit the text)",
            Layer::Confirm => "Questions",
            Layer::Help => "This help",
            Layer::Search => "Searching (type the text to find; ~ starts a regex)",
            Layer::Matches => {
                "Search matches, once one is found (every match marked; other keys end the search)"
            }
            Layer::Picker => "Session picker",
            Layer::Requests => "Served requests (listen mode)",
            Layer::ImportPath => "Import: the path prompt (type or paste a path)",
            Layer::Operations => "Import: the imported operations",
            Layer::Curl => "Curl prompt (paste or type; a line ending in \\ continues)",
            Layer::Settings => "Settings editor (TOML; other keys edit the text)",
            Layer::Unsaved => "Opening another session with unsaved edits",
            Layer::Compare => "Compare view (the request through all five integration types)",
            Layer::Lint => "Lint findings of the template",
        }
    }
}

/// One key with modifiers, normalised so that `?` typed with Shift matches `?`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    /// The key.
    pub code: KeyCode,
    /// Ctrl and Alt (Shift only for non-character keys).
    pub mods: KeyModifiers,
}

impl KeyCombo {
    /// A combo from a key and modifiers, normalised.
    pub fn new(code: KeyCode, mods: KeyModifiers) -> KeyCombo {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // Characters already carry their case; Shift+Tab arrives as BackTab.
            KeyCode::Char(_) | KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                code
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            _ => code,
        };
        let code = match code {
            // Ctrl+letter may arrive upper-case with some terminals.
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            c => c,
        };
        KeyCombo { code, mods }
    }

    /// The combo of a key event.
    pub fn from_event(e: &KeyEvent) -> KeyCombo {
        KeyCombo::new(e.code, e.modifiers)
    }

    /// Parse `ctrl+s` (or `ctrl-s`), `shift+tab`, `?`, `enter`, `pagedown`, `f1`, `space`...
    pub fn parse(s: &str) -> Result<KeyCombo, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s.trim();
        // A modifier is followed by `+` or `-` (`ctrl+q`, `ctrl-q`); the key itself may be
        // either sign (`ctrl+-`, `+`).
        'mods: loop {
            let lower = rest.to_ascii_lowercase();
            for (name, m) in [
                ("ctrl", KeyModifiers::CONTROL),
                ("alt", KeyModifiers::ALT),
                ("shift", KeyModifiers::SHIFT),
            ] {
                for sep in ['+', '-'] {
                    if let Some(r) = lower
                        .strip_prefix(name)
                        .and_then(|r| r.strip_prefix(sep))
                        .filter(|r| !r.is_empty())
                    {
                        mods |= m;
                        rest = &rest[rest.len() - r.len()..];
                        continue 'mods;
                    }
                }
            }
            break;
        }
        let named = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => Some(KeyCode::Enter),
            "esc" | "escape" => Some(KeyCode::Esc),
            "tab" => Some(KeyCode::Tab),
            "backtab" => Some(KeyCode::BackTab),
            "space" => Some(KeyCode::Char(' ')),
            "up" => Some(KeyCode::Up),
            "down" => Some(KeyCode::Down),
            "left" => Some(KeyCode::Left),
            "right" => Some(KeyCode::Right),
            "pageup" => Some(KeyCode::PageUp),
            "pagedown" => Some(KeyCode::PageDown),
            "home" => Some(KeyCode::Home),
            "end" => Some(KeyCode::End),
            "backspace" => Some(KeyCode::Backspace),
            "delete" | "del" => Some(KeyCode::Delete),
            _ => None,
        };
        let code = if let Some(c) = named {
            c
        } else if let Some(n) = rest
            .strip_prefix(['f', 'F'])
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=12).contains(n))
        {
            KeyCode::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => {
                    return Err(format!(
                        "unknown key {s:?} (a character, or ctrl+/alt+/shift+ and one of \
                         enter esc tab backtab space up down left right pageup pagedown home \
                         end backspace del f1..f12)"
                    ));
                }
            }
        };
        Ok(KeyCombo::new(code, mods))
    }

    /// Whether a key event is this combo.
    pub fn matches(&self, e: &KeyEvent) -> bool {
        KeyCombo::from_event(e) == *self
    }
}

impl fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl+")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt+")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift+")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift+tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Why an override could not be applied.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    /// The action name is not known.
    #[error("unknown action {0:?} in key bindings")]
    UnknownAction(String),
    /// A key could not be parsed.
    #[error("{action}: {message}")]
    BadKey {
        /// The action.
        action: String,
        /// What is wrong.
        message: String,
    },
}

/// The bindings of one action in one layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// Where it applies.
    pub layer: Layer,
    /// What it does.
    pub action: Action,
    /// The keys, first one shown in hints.
    pub keys: Vec<KeyCombo>,
}

/// All bindings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

fn k(code: KeyCode) -> KeyCombo {
    KeyCombo::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyCombo {
    KeyCombo::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn ch(c: char) -> KeyCombo {
    k(KeyCode::Char(c))
}

impl Default for Keymap {
    fn default() -> Self {
        use Action as A;
        use Layer as L;
        let b = |layer, action, keys: Vec<KeyCombo>| Binding {
            layer,
            action,
            keys,
        };
        let all_layers = [
            L::Normal,
            L::Editing,
            L::Lint,
            L::Settings,
            L::Search,
            L::Matches,
            L::Picker,
            L::Unsaved,
            L::ImportPath,
            L::Operations,
            L::Curl,
            L::Requests,
            L::Confirm,
            L::Help,
            L::Compare,
        ];
        let mut bindings: Vec<Binding> = all_layers
            .iter()
            .map(|l| b(*l, A::ForceQuit, vec![ctrl('c')]))
            .collect();
        bindings.extend([
            b(L::Normal, A::Help, vec![ch('?'), k(KeyCode::F(1))]),
            b(L::Normal, A::Quit, vec![ch('q')]),
            b(L::Normal, A::FocusNext, vec![k(KeyCode::Tab)]),
            b(L::Normal, A::FocusPrev, vec![k(KeyCode::BackTab)]),
            b(L::Normal, A::Edit, vec![ch('i'), k(KeyCode::Enter)]),
            b(L::Normal, A::NextStage, vec![ch('n')]),
            b(L::Normal, A::PrevStage, vec![ch('p')]),
            b(L::Normal, A::RunAll, vec![ch('r')]),
            b(L::Normal, A::Send, vec![ch('s')]),
            b(L::Normal, A::Cancel, vec![k(KeyCode::Esc)]),
            b(L::Normal, A::CycleType, vec![ch('t')]),
            b(L::Normal, A::Compare, vec![ch('C')]),
            b(L::Compare, A::NextType, vec![ch('l'), k(KeyCode::Right)]),
            b(L::Compare, A::PrevType, vec![ch('h'), k(KeyCode::Left)]),
            b(L::Compare, A::ScrollDown, vec![ch('j'), k(KeyCode::Down)]),
            b(L::Compare, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(
                L::Compare,
                A::PageDown,
                vec![k(KeyCode::PageDown), ctrl('d'), ch(' ')],
            ),
            b(L::Compare, A::PageUp, vec![k(KeyCode::PageUp), ctrl('u')]),
            b(L::Compare, A::Top, vec![ch('g'), k(KeyCode::Home)]),
            b(L::Compare, A::Bottom, vec![ch('G'), k(KeyCode::End)]),
            b(L::Compare, A::RunAll, vec![ch('r')]),
            b(L::Compare, A::Cancel, vec![k(KeyCode::Esc), ch('q')]),
            b(L::Compare, A::Compare, vec![ch('C')]),
            b(L::Normal, A::EditMethod, vec![ch('e')]),
            b(L::Normal, A::EditApi, vec![ch('E')]),
            b(L::Normal, A::EditBackend, vec![ch('B')]),
            b(L::Normal, A::Save, vec![ctrl('s')]),
            b(L::Normal, A::Zoom, vec![ch('z')]),
            b(L::Normal, A::Copy, vec![ch('y')]),
            b(L::Normal, A::NextTemplate, vec![ch(']')]),
            b(L::Normal, A::PrevTemplate, vec![ch('[')]),
            b(L::Normal, A::NextRequest, vec![ch('>')]),
            b(L::Normal, A::PrevRequest, vec![ch('<')]),
            b(L::Normal, A::CycleTheme, vec![ch('T')]),
            b(L::Normal, A::ScrollDown, vec![ch('j'), k(KeyCode::Down)]),
            b(L::Normal, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(
                L::Normal,
                A::PageDown,
                vec![k(KeyCode::PageDown), ctrl('d')],
            ),
            b(L::Normal, A::PageUp, vec![k(KeyCode::PageUp), ctrl('u')]),
            b(L::Normal, A::Top, vec![ch('g'), k(KeyCode::Home)]),
            b(L::Normal, A::Bottom, vec![ch('G'), k(KeyCode::End)]),
            b(L::Normal, A::Undo, vec![ch('u'), ctrl('z')]),
            b(L::Normal, A::Redo, vec![ctrl('r')]),
            b(L::Normal, A::Search, vec![ch('/')]),
            b(L::Normal, A::OpenSession, vec![ch('o')]),
            b(L::Normal, A::ToggleChanges, vec![ch('d')]),
            b(L::Normal, A::ToggleRaw, vec![ch('v')]),
            b(L::Normal, A::ToggleWrap, vec![ch('w')]),
            b(L::Normal, A::ScrollLeft, vec![k(KeyCode::Left)]),
            b(L::Normal, A::ScrollRight, vec![k(KeyCode::Right)]),
            b(L::Normal, A::ToggleListen, vec![ch('L')]),
            b(L::Normal, A::Requests, vec![ch('l')]),
            b(L::Normal, A::ToggleBreakpoint, vec![ch('b')]),
            b(L::Normal, A::Resume, vec![ch('R')]),
            b(L::Requests, A::ToggleBreakpoint, vec![ch('b')]),
            b(L::Requests, A::Resume, vec![ch('R')]),
            b(L::Normal, A::ImportApi, vec![ch('I')]),
            b(L::Normal, A::PasteCurl, vec![ch('c')]),
            b(L::Normal, A::MintToken, vec![ch('J')]),
            b(L::Normal, A::Lint, vec![ch('!')]),
            b(L::Lint, A::ScrollDown, vec![ch('j'), k(KeyCode::Down)]),
            b(L::Lint, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(L::Lint, A::Choose, vec![k(KeyCode::Enter)]),
            b(L::Lint, A::Lint, vec![ch('!')]),
            b(L::Lint, A::Cancel, vec![k(KeyCode::Esc), ch('q')]),
            b(L::ImportPath, A::Submit, vec![k(KeyCode::Enter)]),
            b(L::ImportPath, A::Complete, vec![k(KeyCode::Tab)]),
            b(L::ImportPath, A::Cancel, vec![k(KeyCode::Esc)]),
            b(L::Operations, A::Choose, vec![k(KeyCode::Enter)]),
            b(
                L::Operations,
                A::ScrollDown,
                vec![ch('j'), k(KeyCode::Down)],
            ),
            b(L::Operations, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(L::Operations, A::ToggleWarnings, vec![ch('w')]),
            b(L::Operations, A::Save, vec![ctrl('s')]),
            b(L::Operations, A::Cancel, vec![k(KeyCode::Esc), ch('q')]),
            b(L::Curl, A::Submit, vec![k(KeyCode::Enter)]),
            b(L::Curl, A::Cancel, vec![k(KeyCode::Esc)]),
            b(L::Requests, A::Choose, vec![k(KeyCode::Enter)]),
            b(L::Requests, A::ScrollDown, vec![ch('j'), k(KeyCode::Down)]),
            b(L::Requests, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(L::Requests, A::Top, vec![ch('g'), k(KeyCode::Home)]),
            b(L::Requests, A::Bottom, vec![ch('G'), k(KeyCode::End)]),
            b(L::Requests, A::Replay, vec![ch('r')]),
            b(L::Requests, A::SaveServed, vec![ch('a')]),
            b(L::Requests, A::ToggleListen, vec![ch('L')]),
            b(
                L::Requests,
                A::Requests,
                vec![ch('l'), k(KeyCode::Esc), ch('q')],
            ),
            b(L::Picker, A::Choose, vec![k(KeyCode::Enter)]),
            b(L::Picker, A::ScrollDown, vec![ch('j'), k(KeyCode::Down)]),
            b(L::Picker, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(L::Picker, A::Cancel, vec![k(KeyCode::Esc), ch('q')]),
            b(L::Unsaved, A::SaveFirst, vec![ch('s')]),
            b(L::Unsaved, A::Discard, vec![ch('d')]),
            b(L::Unsaved, A::ConfirmNo, vec![k(KeyCode::Esc), ch('n')]),
            b(L::Editing, A::LeaveEdit, vec![k(KeyCode::Esc)]),
            b(L::Editing, A::Save, vec![ctrl('s')]),
            b(L::Editing, A::Undo, vec![ctrl('z'), ctrl('u')]),
            b(L::Editing, A::Redo, vec![ctrl('r')]),
            b(L::Editing, A::Search, vec![ctrl('f')]),
            b(L::Settings, A::Apply, vec![ctrl('s')]),
            b(L::Settings, A::Cancel, vec![k(KeyCode::Esc)]),
            b(L::Settings, A::Undo, vec![ctrl('z'), ctrl('u')]),
            b(L::Settings, A::Redo, vec![ctrl('r')]),
            b(L::Settings, A::Search, vec![ctrl('f')]),
            b(L::Search, A::SearchNext, vec![k(KeyCode::Enter), ctrl('n')]),
            b(L::Search, A::SearchPrev, vec![ctrl('p')]),
            b(L::Search, A::Cancel, vec![k(KeyCode::Esc)]),
            b(
                L::Matches,
                A::SearchNext,
                vec![ch('n'), k(KeyCode::Enter), ctrl('n')],
            ),
            b(L::Matches, A::SearchPrev, vec![ch('N'), ctrl('p')]),
            b(L::Matches, A::Search, vec![ch('/')]),
            b(L::Matches, A::Cancel, vec![k(KeyCode::Esc)]),
            b(L::Matches, A::ScrollDown, vec![ch('j'), k(KeyCode::Down)]),
            b(L::Matches, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(
                L::Matches,
                A::PageDown,
                vec![k(KeyCode::PageDown), ctrl('d')],
            ),
            b(L::Matches, A::PageUp, vec![k(KeyCode::PageUp), ctrl('u')]),
            b(L::Confirm, A::ConfirmYes, vec![ch('y')]),
            b(L::Confirm, A::ConfirmNo, vec![ch('n'), k(KeyCode::Esc)]),
            b(L::Confirm, A::ScrollDown, vec![ch('j'), k(KeyCode::Down)]),
            b(L::Confirm, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(L::Help, A::Help, vec![ch('?'), k(KeyCode::Esc), ch('q')]),
            b(L::Help, A::ScrollDown, vec![ch('j'), k(KeyCode::Down)]),
            b(L::Help, A::ScrollUp, vec![ch('k'), k(KeyCode::Up)]),
            b(L::Help, A::Top, vec![ch('g'), k(KeyCode::Home)]),
            b(L::Help, A::Bottom, vec![ch('G'), k(KeyCode::End)]),
            b(L::Help, A::PageUp, vec![k(KeyCode::PageUp)]),
            b(L::Help, A::PageDown, vec![k(KeyCode::PageDown)]),
        ]);
        Keymap { bindings }
    }
}

impl Keymap {
    /// Apply overrides: action name -> key strings. An override replaces that action's keys
    /// in every layer where the action is bound; actions not named keep their defaults.
    pub fn with_overrides<'a>(
        mut self,
        overrides: impl IntoIterator<Item = (&'a str, &'a [String])>,
    ) -> Result<Keymap, KeymapError> {
        for (name, keys) in overrides {
            let action =
                Action::from_name(name).ok_or_else(|| KeymapError::UnknownAction(name.into()))?;
            let combos = keys
                .iter()
                .map(|s| KeyCombo::parse(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| KeymapError::BadKey {
                    action: name.into(),
                    message,
                })?;
            for b in self.bindings.iter_mut().filter(|b| b.action == action) {
                b.keys.clone_from(&combos);
            }
        }
        Ok(self)
    }

    /// The action a key asks for in a layer.
    pub fn action(&self, layer: Layer, key: &KeyEvent) -> Option<Action> {
        let combo = KeyCombo::from_event(key);
        self.bindings
            .iter()
            .find(|b| b.layer == layer && b.keys.contains(&combo))
            .map(|b| b.action)
    }

    /// The keys of an action in a layer, as shown to users (`"i/enter"`), or `None` when
    /// the action is not bound there.
    pub fn keys(&self, layer: Layer, action: Action) -> Option<String> {
        let b = self
            .bindings
            .iter()
            .find(|b| b.layer == layer && b.action == action && !b.keys.is_empty())?;
        Some(
            b.keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// The first key of an action in a layer (for compact hints).
    pub fn first_key(&self, layer: Layer, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.layer == layer && b.action == action)
            .and_then(|b| b.keys.first())
            .map(ToString::to_string)
    }

    /// A hint such as `"i edit"`, or `None` when unbound.
    pub fn hint(&self, layer: Layer, action: Action) -> Option<(String, &'static str)> {
        self.first_key(layer, action).map(|k| (k, action.label()))
    }

    /// All bindings (for the help overlay).
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn defaults_of_the_issue() {
        let m = Keymap::default();
        let n = |code| m.action(Layer::Normal, &ev(code, KeyModifiers::NONE));
        assert_eq!(n(KeyCode::Char('?')), Some(Action::Help));
        assert_eq!(n(KeyCode::Char('q')), Some(Action::Quit));
        assert_eq!(n(KeyCode::Tab), Some(Action::FocusNext));
        assert_eq!(n(KeyCode::Char('i')), Some(Action::Edit));
        assert_eq!(n(KeyCode::Enter), Some(Action::Edit));
        assert_eq!(n(KeyCode::Char('n')), Some(Action::NextStage));
        assert_eq!(n(KeyCode::Char('p')), Some(Action::PrevStage));
        assert_eq!(n(KeyCode::Char('r')), Some(Action::RunAll));
        assert_eq!(n(KeyCode::Char('s')), Some(Action::Send));
        assert_eq!(n(KeyCode::Char('t')), Some(Action::CycleType));
        assert_eq!(n(KeyCode::Char('z')), Some(Action::Zoom));
        assert_eq!(n(KeyCode::Char('y')), Some(Action::Copy));
        assert_eq!(n(KeyCode::Char('e')), Some(Action::EditMethod));
        assert_eq!(
            m.action(
                Layer::Settings,
                &ev(KeyCode::Char('s'), KeyModifiers::CONTROL)
            ),
            Some(Action::Apply)
        );
        assert_eq!(
            m.action(Layer::Settings, &ev(KeyCode::Char('e'), KeyModifiers::NONE)),
            None,
            "plain keys edit the settings text"
        );
        // Shift+Tab arrives as BackTab with SHIFT.
        assert_eq!(
            m.action(Layer::Normal, &ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::FocusPrev)
        );
        // '?' with SHIFT (as many terminals send it).
        assert_eq!(
            m.action(Layer::Normal, &ev(KeyCode::Char('?'), KeyModifiers::SHIFT)),
            Some(Action::Help)
        );
        for layer in Layer::ALL {
            assert_eq!(
                m.action(layer, &ev(KeyCode::Char('c'), KeyModifiers::CONTROL)),
                Some(Action::ForceQuit)
            );
        }
        assert_eq!(
            m.action(
                Layer::Editing,
                &ev(KeyCode::Char('s'), KeyModifiers::CONTROL)
            ),
            Some(Action::Save)
        );
        assert_eq!(
            m.action(Layer::Editing, &ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            None,
            "plain keys go to the editor"
        );
        assert_eq!(
            m.action(Layer::Editing, &ev(KeyCode::Esc, KeyModifiers::NONE)),
            Some(Action::LeaveEdit)
        );
    }

    #[test]
    fn parse_and_display_round_trip() {
        for s in [
            "ctrl+s",
            "shift+tab",
            "?",
            "enter",
            "esc",
            "f1",
            "space",
            "alt+x",
            "pgdn",
        ] {
            let parsed = KeyCombo::parse(if s == "pgdn" { "pagedown" } else { s }).unwrap();
            assert_eq!(parsed.to_string(), s);
        }
        assert!(KeyCombo::parse("ctrl+nope").is_err());
    }

    #[test]
    fn overrides_replace_only_named_actions() {
        let keys = vec!["x".to_string()];
        let m = Keymap::default()
            .with_overrides([("quit", keys.as_slice())])
            .unwrap();
        assert_eq!(m.keys(Layer::Normal, Action::Quit).as_deref(), Some("x"));
        assert_eq!(m.keys(Layer::Normal, Action::Help).as_deref(), Some("?/f1"));
        assert_eq!(
            m.action(Layer::Normal, &ev(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        let err = Keymap::default()
            .with_overrides([("nope", keys.as_slice())])
            .unwrap_err();
        assert_eq!(err, KeymapError::UnknownAction("nope".into()));
    }

    #[test]
    fn hints_come_from_the_map() {
        let m = Keymap::default();
        assert_eq!(
            m.hint(Layer::Normal, Action::Edit),
            Some(("i".to_string(), "edit"))
        );
        assert_eq!(m.hint(Layer::Editing, Action::Edit), None);
    }
}
