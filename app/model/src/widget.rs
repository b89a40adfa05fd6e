//! The forms a widget posts back to the service (`POST /embed/{product}`, and `POST /embed/start`
//! for UPS's consent), named once: the pages that write them, the widget's script that fills one
//! in, and the handlers that read them all use these names.

/// A field of a widget's forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidgetField {
    /// The widget key (`WidgetKey`): every form carries it.
    Key,
    /// What the form asks for ([`WidgetIntent`]); none is [`WidgetIntent::View`].
    Intent,
    /// The token grid's page to show (Data Management).
    Page,
    /// What the consent window reported (a `Notice` code), when it did.
    Outcome,
    /// The status code the page showed before (a `StatusKind` code): the host hears of changes only.
    Before,
    /// How UPS's consent opens (an `EmbedMode` code): a window of its own, or the whole page.
    Mode,
}

impl WidgetField {
    /// The field's name in the form.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Intent => "intent",
            Self::Page => "page",
            Self::Outcome => "outcome",
            Self::Before => "before",
            Self::Mode => "mode",
        }
    }
}

/// What a widget's form asks of its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WidgetIntent {
    /// Show the widget as it stands (the consent window finished, or another grid page).
    View,
    /// Opt-Out or Clear, confirmed.
    Revoke,
}

impl WidgetIntent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Revoke => "revoke",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::View, Self::Revoke].into_iter().find(|intent| intent.as_str() == value)
    }
}
