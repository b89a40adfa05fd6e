//! What the refreshes count in `/metrics`: `optin_refreshes_total` by the class of UPS's answer,
//! and `optin_application_breaker_open` by product. On handles registered once, so a refresh
//! costs an atomic add, not a look-up of the metric by name and labels.

use crate::ups::AnswerClass;
use model::Product;
use std::sync::OnceLock;

/// `optin_application_breaker_open`, by product: 1 while UPS pushes back on the application, as
/// this instance last read it.
pub(super) fn breaker_gauge(open: &[Product]) {
    static GAUGES: OnceLock<[(Product, metrics::Gauge); 3]> = OnceLock::new();
    let gauges = GAUGES.get_or_init(|| {
        Product::ALL
            .map(|product| (product, metrics::gauge!("optin_application_breaker_open", "product" => product.slug())))
    });
    for (product, gauge) in gauges {
        gauge.set(if open.contains(product) { 1.0 } else { 0.0 });
    }
}

/// One refresh UPS answered (or did not), by outcome: `optin_refreshes_total`.
#[derive(Clone, Copy)]
pub(super) enum RefreshCount {
    /// By the class of UPS's answer.
    Answered(AnswerClass),
    /// UPS answered, but the authorization had changed meanwhile.
    Superseded,
}

/// Counted on handles registered once, so a refresh costs an atomic add, not a look-up of the
/// metric by name and labels.
pub(super) fn count_refresh(outcome: RefreshCount) {
    static COUNTERS: OnceLock<Vec<metrics::Counter>> = OnceLock::new();
    let counters = COUNTERS.get_or_init(|| {
        AnswerClass::ALL
            .iter()
            .map(|class| class.as_str())
            .chain(["superseded"])
            .map(|outcome| metrics::counter!("optin_refreshes_total", "outcome" => outcome))
            .collect()
    });
    let index = match outcome {
        RefreshCount::Answered(class) => AnswerClass::ALL.iter().position(|known| *known == class).unwrap_or(0),
        RefreshCount::Superseded => AnswerClass::ALL.len(),
    };
    counters[index].increment(1);
}
