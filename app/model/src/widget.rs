//! The forms a widget posts back to the service (`POST /embed/{product}`, and `POST /embed/start`
//! for UPS's consent), named once: the pages that write them, the widget's script that fills one
//! in, and the handlers that read them all use these names.

use strum::{EnumString, IntoStaticStr};

/// A field of a widget's forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr)]
#[strum(serialize_all = "snake_case", const_into_str)]
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
    /// The field's name in the form: `key`.
    pub const fn name(self) -> &'static str {
        self.into_str()
    }
}

/// What a widget's form asks of its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, IntoStaticStr, EnumString)]
#[strum(serialize_all = "snake_case")]
pub enum WidgetIntent {
    /// Show the widget as it stands (the consent window finished, or another grid page).
    View,
    /// Opt-Out or Clear, confirmed.
    Revoke,
}

impl WidgetIntent {
    /// The code in the form: `revoke`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Option<Self> {
        value.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_forms_own() {
        let fields = [WidgetField::Key, WidgetField::Intent, WidgetField::Page, WidgetField::Outcome];
        assert_eq!(fields.map(WidgetField::name), ["key", "intent", "page", "outcome"]);
        assert_eq!((WidgetField::Before.name(), WidgetField::Mode.name()), ("before", "mode"));
        for intent in [WidgetIntent::View, WidgetIntent::Revoke] {
            assert_eq!(WidgetIntent::parse(intent.as_str()), Some(intent));
        }
        assert_eq!(WidgetIntent::Revoke.as_str(), "revoke");
        assert_eq!(WidgetIntent::parse("Revoke"), None);
    }
}
