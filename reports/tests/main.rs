//! Reports from a run's streams: the figures, each format, and the HTML
//! rendered by a real browser.

mod browser;
mod figures;
mod formats;
mod support;
