//! `server user …`: the service's own accounts (adding one, its notification address, its
//! password, and its second factors when they are all lost).

use super::{new_password, UserCommand};
use optin_core::{
    accounts::{self, create_user, find_user},
    companies::{add_admin, find_company},
    factors, Core, CoreError,
};

pub async fn run(core: &Core, command: UserCommand) -> Result<String, CoreError> {
    match command {
        UserCommand::Add { sign_in_name, display_name, company, email } => {
            let company = match company {
                Some(name) => Some(find_company(core, &name).await?),
                None => None,
            };
            let (password, generated) = new_password();
            let user = create_user(core, &sign_in_name, &display_name, password.clone()).await?;
            if email.is_some() {
                accounts::set_email(core, user, email.as_deref()).await?;
            }
            if let Some(company) = company {
                add_admin(core, user, company).await?;
            }
            Ok(match generated {
                true => format!("Added {sign_in_name}. Password (shown once): {}", password.expose()),
                false => format!("Added {sign_in_name}."),
            })
        }
        UserCommand::SetEmail { sign_in_name, email } => {
            let user = find_user(core, &sign_in_name).await?;
            accounts::set_email(core, user, email.as_deref()).await?;
            Ok(match email {
                Some(email) => format!("{sign_in_name}'s notification emails go to {email}."),
                None => format!("{sign_in_name} gets no notification emails."),
            })
        }
        UserCommand::ResetSecondFactors { sign_in_name } => {
            let user = find_user(core, &sign_in_name).await?;
            let removed = factors::reset(core, user).await?;
            Ok(format!("Removed {removed} second factor(s) and the recovery codes of {sign_in_name}, and ended their sessions."))
        }
        UserCommand::SetPassword { sign_in_name } => {
            let user = find_user(core, &sign_in_name).await?;
            let (password, generated) = new_password();
            accounts::set_password(core, user, password.clone()).await?;
            let shown =
                if generated { format!(" Password (shown once): {}", password.expose()) } else { String::new() };
            Ok(format!("Changed the password of {sign_in_name} and ended their sessions.{shown}"))
        }
    }
}
