//! The lint list: the findings of the template in the editor (line:col, level, rule,
//! message), the selected one's rule explained with its before/after example, and what
//! `Enter` would change.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::lint_view::Level;
use crate::app::{Action, App};
use crate::ui::style::Theme;

fn level_style(theme: &Theme, level: Level) -> ratatui::style::Style {
    match level {
        Level::Error => theme.error(),
        Level::Warning => theme.warning(),
        Level::Info => theme.muted(),
    }
}

/// Draw the list.
pub fn draw(f: &mut Frame, app: &App, selected: usize) {
    let theme = app.theme();
    let area = f.area();
    let [v] = Layout::vertical([Constraint::Length(area.height.saturating_sub(2).min(30))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(area.width.saturating_sub(4).min(110))])
        .flex(Flex::Center)
        .areas(v);
    let findings = app.lint_findings();
    let label = app
        .template_slot()
        .map(crate::app::templates::TemplateSlot::label)
        .unwrap_or_default();
    let title = format!(
        " Lint · {label} · {} finding{} ",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    let mut bottom = vec![Span::raw(" ")];
    for (a, label) in [
        (Action::Choose, "apply the fix"),
        (Action::ScrollDown, "next"),
        (Action::Cancel, "close"),
    ] {
        if let Some(key) = app.keymap().first_key(Layer::Lint, a) {
            bottom.push(Span::styled(key, theme.key_hint()));
            bottom.push(Span::styled(format!(" {label}  "), theme.muted()));
        }
    }
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(title, theme.title(true))))
        .title_bottom(Line::from(bottom));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    if findings.is_empty() {
        return;
    }
    let selected = selected.min(findings.len() - 1);
    // The list takes up to half the room; the explanation the rest.
    let list_rows = u16::try_from(findings.len())
        .unwrap_or(u16::MAX)
        .min((inner.height / 2).max(1));
    let [list, rule, rest] = Layout::vertical([
        Constraint::Length(list_rows),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let h = usize::from(list_rows).max(1);
    let top = selected.saturating_sub(h - 1);
    let width = usize::from(list.width);
    let mut lines = Vec::new();
    for (i, finding) in findings.iter().enumerate().skip(top).take(h) {
        let is_sel = i == selected;
        let marker = if is_sel { "▶ " } else { "  " };
        let base = if is_sel {
            theme.stage_active()
        } else {
            theme.text()
        };
        let head = format!("{marker}{:>4}:{:<3} ", finding.span.line, finding.span.col);
        let level = format!("{:<8}", finding.level.as_str());
        let used = head.chars().count() + level.chars().count();
        let rest = crate::ui::widgets::text_view::fit(
            format!("{} {}", finding.rule.id(), finding.message),
            width.saturating_sub(used),
        );
        lines.push(Line::from(vec![
            Span::styled(head, base),
            Span::styled(level, level_style(theme, finding.level)),
            Span::styled(rest, base),
        ]));
    }
    f.render_widget(Paragraph::new(lines), list);
    f.render_widget(
        Paragraph::new(Span::styled(
            "─".repeat(usize::from(rule.width)),
            theme.muted(),
        )),
        rule,
    );
    let finding = &findings[selected];
    let info = finding.rule.info();
    let template = app.template_editor().text();
    let fix = match &finding.fix {
        Some(fix) => {
            let key = app
                .keymap()
                .first_key(Layer::Lint, Action::Choose)
                .unwrap_or_default();
            Line::from(vec![
                Span::styled(key, theme.key_hint()),
                Span::styled(
                    format!(" fixes it: {}", fix.describe(&template)),
                    theme.success(),
                ),
            ])
        }
        None => Line::from(Span::styled(
            "No mechanical fix: change the template as the explanation says.",
            theme.muted(),
        )),
    };
    let mut text = vec![
        Line::from(vec![
            Span::styled(finding.rule.id(), level_style(theme, finding.level)),
            Span::styled(format!(": {}", finding.message), theme.text()),
        ]),
        fix,
        Line::from(""),
    ];
    text.extend(
        reflow(info.explanation)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.muted()))),
    );
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), rest);
}

/// The explanation's paragraphs as one line each (the view wraps them to its width); indented
/// lines (examples, list items) and blank lines stay as they are.
fn reflow(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut joining = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            out.push(String::new());
            joining = false;
        } else if line.starts_with(' ') {
            out.push(line.to_string());
            joining = false;
        } else if joining && let Some(last) = out.last_mut() {
            last.push(' ');
            last.push_str(line);
        } else {
            out.push(line.to_string());
            joining = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paragraphs_join_and_examples_stay() {
        let text = "One line\nand more.\n\nBefore:\n    $a\n  - item\n    goes on\nAfter.";
        assert_eq!(
            super::reflow(text),
            [
                "One line and more.",
                "",
                "Before:",
                "    $a",
                "  - item",
                "    goes on",
                "After."
            ]
        );
    }
}
