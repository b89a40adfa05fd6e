//! Upgrades: a database an earlier version wrote starts under this one, which applies the
//! migrations it lacks, and reads the same to admins, operators and the products' backends.

use crate::common::spawn_app_upgraded_from;
use model::{CompanyId, Product};
use optin_core::secret::SecretString;

const UPS_SAID: &str = "UPS answered 401 Unauthorized: invalid_grant (the refresh token is invalid)";

/// Before the dead grant's reason was a code, it was the sentence an admin reads.
fn earlier_rows() -> Vec<String> {
    let refused = format!(
        "UPS refused to refresh the token ({UPS_SAID}). The UPS.com password of the user who opted in may have changed."
    );
    let interrupted = format!(
        "A refresh started at 2025-11-24 16:00 UTC was interrupted before UPS''s answer could be stored (the service \
         stopped, or the answer never arrived), and UPS no longer accepts the refresh token it replaced ({UPS_SAID})."
    );
    vec![
        "INSERT INTO companies (id, name, created_at) VALUES
             (1, 'Refused Co', 0), (2, 'Interrupted Co', 0), (3, 'Tokenless Co', 0), (4, 'Opted Out Co', 0)"
            .into(),
        format!(
            "INSERT INTO authorizations (company_id, product, status, status_reason, status_changed_at) VALUES
                 (1, 'reverse-logistics', 'reauthorization_required', '{refused}', 100),
                 (2, 'reverse-logistics', 'reauthorization_required', '{interrupted}', 100),
                 (3, 'reverse-logistics', 'reauthorization_required', 'UPS issued no refresh token', 100),
                 (4, 'reverse-logistics', 'revoked', 'opted_out', 100)"
        ),
    ]
}

#[tokio::test]
async fn dead_grants_stored_as_sentences_become_causes_and_read_as_before() {
    let earlier = earlier_rows();
    let earlier: Vec<&str> = earlier.iter().map(String::as_str).collect();
    let app = spawn_app_upgraded_from(20261204170001, &earlier, |settings| {
        settings.metrics_token = Some(SecretString::new("scrape-secret"))
    })
    .await;

    let stored: Vec<(i64, String, Option<String>, Option<i64>)> = app
        .rows(
            "SELECT company_id, status_reason, status_detail, interrupted_refresh_at FROM authorizations ORDER BY company_id",
            &[],
        )
        .await;
    assert_eq!(
        stored,
        [
            (1, "refresh_refused".into(), Some(UPS_SAID.into()), None),
            (2, "refresh_interrupted".into(), Some(UPS_SAID.into()), Some(1_764_000_000)),
            (3, "no_refresh_token".into(), None, None),
            (4, "opted_out".into(), None, None),
        ]
    );

    // The admin reads the sentence they read before the upgrade.
    let companies: Vec<CompanyId> = (1..=4).map(CompanyId::new).collect();
    app.admin("alice", &companies).await;
    let browser = app.browser().signed_in("alice").await;
    let product = Product::ReverseLogistics.slug();
    for (company, expected) in [
        (1, format!("UPS refused to refresh the token ({UPS_SAID}). The UPS.com password")),
        (2, "A refresh started at 2025-11-24 16:00 UTC was interrupted before UPS's answer".into()),
        (2, format!("the refresh token it replaced ({UPS_SAID}).")),
        (3, "UPS issued no refresh token".into()),
    ] {
        let overview =
            browser.server_fn("load_overview", &[("product", product), ("company", &company.to_string())]).await;
        assert!(overview.body.contains(&expected), "company {company}: {}", overview.body);
    }

    // Operators count each state once, whatever the reasons.
    let metrics = reqwest::Client::new()
        .get(app.base.join("/metrics").unwrap())
        .bearer_auth("scrape-secret")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "optin_authorizations{product=\"reverse-logistics\",state=\"reauthorization_required\"} 3",
        "optin_authorizations{product=\"reverse-logistics\",state=\"opted_out\"} 1",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
}
