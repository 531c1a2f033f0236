//! Reusable widgets: drawing the editor (its state is `app/editor.rs`) and the read-only
//! styled text view.

pub mod editor;
pub mod text_view;
