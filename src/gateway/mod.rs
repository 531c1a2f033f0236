pub mod jsonpath;
pub mod util;
