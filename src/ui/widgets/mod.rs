//! Reusable widgets: the editor adapter and the read-only styled text view.

pub mod editor;
pub mod text_view;
