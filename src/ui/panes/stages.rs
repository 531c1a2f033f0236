//! The stage strip (routing → authorization → method request → ... → method response) and
//! the current stage's one-line explanation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::App;
use crate::gateway::trace::{Stage, StageOutcome};

fn tiny(stage: Stage) -> &'static str {
    match stage {
        Stage::Routing => "route",
        Stage::Authorization => "auth",
        Stage::MethodRequest => "m.req",
        Stage::IntegrationRequest => "i.req",
        Stage::Backend => "backend",
        Stage::IntegrationResponse => "i.resp",
        Stage::MethodResponse => "m.resp",
    }
}

fn short(stage: Stage) -> &'static str {
    match stage {
        Stage::Routing => "route",
        Stage::Authorization => "auth",
        Stage::MethodRequest => "method req",
        Stage::IntegrationRequest => "integ req",
        Stage::Backend => "backend",
        Stage::IntegrationResponse => "integ resp",
        Stage::MethodResponse => "method resp",
    }
}

/// The outcome mark of a stage in the latest trace: ✓ done, ✗ failed, – skipped.
fn mark(app: &App, stage: Stage) -> &'static str {
    let Some(t) = app.trace() else { return "" };
    match t
        .trace
        .stages
        .iter()
        .find(|s| s.stage == stage)
        .map(|s| &s.outcome)
    {
        Some(StageOutcome::Done) => " ✓",
        Some(StageOutcome::Failed(_)) => " ✗",
        Some(StageOutcome::Skipped) => " –",
        None => "",
    }
}

/// Whether the trace on screen skipped `stage` (drawn dim).
fn stage_skipped(app: &App, stage: Stage) -> bool {
    app.trace().is_some_and(|t| {
        t.trace
            .stages
            .iter()
            .any(|s| s.stage == stage && s.outcome == StageOutcome::Skipped)
    })
}

fn strip_line(
    app: &App,
    label: fn(Stage) -> &'static str,
    sep: &'static str,
    pad: bool,
) -> (Line<'static>, usize) {
    let theme = app.theme();
    let mut spans = Vec::new();
    let mut width = 0;
    for (i, stage) in Stage::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, theme.muted()));
            width += sep.chars().count();
        }
        let text = if pad {
            format!(" {}{} ", label(stage), mark(app, stage))
        } else {
            format!("{}{}", label(stage), mark(app, stage))
        };
        width += text.chars().count();
        let style = if stage == app.stage() {
            theme.stage_active()
        } else if stage_skipped(app, stage) {
            theme.stage_other().patch(theme.muted())
        } else {
            theme.stage_other()
        };
        spans.push(Span::styled(text, style));
    }
    (Line::from(spans), width)
}

/// What the `●` in pane titles means (`n`/`p` move the stage; the help says more).
pub const LEGEND: &str = "  ● = panes this stage uses";

/// Draw the strip into `strip` and the explanation into `explanation`.
pub fn draw(f: &mut Frame, app: &App, strip: Rect, explanation: Rect) {
    let theme = app.theme();
    // The longest labels that fit; the last level keeps every stage down to 60 columns.
    type Level = (fn(Stage) -> &'static str, &'static str, bool);
    let labels: [Level; 6] = [
        (Stage::label, " › ", true),
        (short, " › ", true),
        (short, "›", true),
        (tiny, " › ", true),
        (tiny, "›", true),
        (tiny, "›", false),
    ];
    // The legend of the `●` pane markers: on the strip when it fits beside readable labels
    // (the first three levels), else after the explanation.
    let legend = Span::styled(LEGEND, theme.muted());
    let width_of = |level: &Level| strip_line(app, level.0, level.1, level.2);
    let with_legend = labels[..3]
        .iter()
        .map(width_of)
        .find(|(_, w)| w + LEGEND.chars().count() <= strip.width as usize);
    let legend_on_strip = with_legend.is_some();
    let mut line = match with_legend {
        Some((l, _)) => l,
        None => {
            let mut line = Line::default();
            for level in &labels {
                let (l, width) = width_of(level);
                line = l;
                if width <= strip.width as usize {
                    break;
                }
            }
            line
        }
    };
    if legend_on_strip {
        line.spans.push(legend.clone());
    }
    f.render_widget(Paragraph::new(line), strip);
    let stage = app.stage();
    let mut spans = vec![Span::styled(
        format!("{}: ", stage.label()),
        theme.title(true),
    )];
    // A failure comes first, before the explanation, so the two lines show its reason.
    let failure = app.trace().and_then(|t| {
        t.trace
            .stages
            .iter()
            .find(|s| s.stage == stage)
            .and_then(|rec| match &rec.outcome {
                StageOutcome::Failed(m) => Some(m.clone()),
                _ => None,
            })
    });
    if let Some(m) = failure {
        spans.push(Span::styled(format!("✗ {m} "), theme.error()));
    }
    spans.push(Span::styled(stage.explanation(), theme.muted()));
    if let Some(t) = app.trace()
        && let Some(rec) = t.trace.stages.iter().find(|s| s.stage == stage)
        && !matches!(rec.outcome, StageOutcome::Failed(_))
        && let Some(note) = rec.notes.first()
    {
        spans.push(Span::styled(format!(" → {note}"), theme.text()));
    }
    if !legend_on_strip {
        spans.push(legend);
    }
    f.render_widget(
        Paragraph::new(Line::from(spans)).wrap(Wrap { trim: true }),
        explanation,
    );
}
