//! `hearth user …`: account management at the server's console.

use crate::cli::UserCommand;
use crate::config::{Settings, open};
use anyhow::Result;
use hearth_app::users::{NewUser, Operator};
use hearth_app::{App, AppError, Policy};
use hearth_core::Lang;
use hearth_core::user::UserStatus;
use std::process::ExitCode;

pub async fn run(settings: &Settings, command: UserCommand) -> Result<ExitCode> {
    let app = App::new(open(settings).await?, Policy::default());
    let outcome = match command {
        UserCommand::Add(add) => {
            let new = NewUser {
                username: add.username,
                display_name: add.display_name,
                role: add.role,
                area_code: add.area,
                organization: add.organization,
                password: add.password.read()?,
            };
            app.add_user(Operator::Console, &new)
                .await
                .map(|u| println!("已添加 / added: {} ({})", u.username, u.role))
        }
        UserCommand::List { json } => app.users(Operator::Console).await.map(|users| {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&users).unwrap_or_default()
                );
            } else {
                println!(
                    "{:<16} {:<16} {:<10} {:<14} name",
                    "username", "role", "status", "area"
                );
                for u in users {
                    let area = u.area_code.as_ref().map(|a| a.as_str()).unwrap_or("-");
                    println!(
                        "{:<16} {:<16} {:<10} {:<14} {}",
                        u.username,
                        u.role,
                        u.status.as_str(),
                        area,
                        u.display_name
                    );
                }
            }
        }),
        UserCommand::TotpEnroll { username } => {
            crate::config::app_with_keys(settings)
                .await?
                .enrol_totp(Operator::Console, &username)
                .await
                .map(|enrolment| {
                    println!("密钥 / secret: {}", enrolment.secret_base32);
                    println!("{}", enrolment.uri);
                    println!(
                        "请在验证器应用中添加，下次登录起需要动态验证码 / add it to an authenticator app; sign-ins need a code from now on"
                    );
                })
        }
        UserCommand::Disable { username } => app
            .set_user_status(Operator::Console, &username, UserStatus::Disabled)
            .await
            .map(|u| println!("已停用 / disabled: {}", u.username)),
        UserCommand::Enable { username } => app
            .set_user_status(Operator::Console, &username, UserStatus::Active)
            .await
            .map(|u| println!("已启用 / enabled: {}", u.username)),
        UserCommand::ResetPassword { username, password } => {
            let password = password.read()?;
            app.reset_password(Operator::Console, &username, &password)
                .await
                .map(|u| println!("密码已重置，下次登录须修改 / password reset, to be changed at next sign-in: {}", u.username))
        }
    };
    app.store().close().await;
    match outcome {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            report(&error);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Prints each refusal with its field, in Chinese and English.
fn report(error: &AppError) {
    match error {
        AppError::Invalid(list) => list.iter().for_each(|e| {
            eprintln!(
                "{}: {} / {}",
                e.field(),
                e.message(Lang::ZhCn),
                e.message(Lang::En)
            )
        }),
        AppError::Conflict(e) => eprintln!(
            "{}: {} / {}",
            e.field(),
            e.message(Lang::ZhCn),
            e.message(Lang::En)
        ),
        AppError::NotFound => eprintln!("未找到该用户 / no such user"),
        other => eprintln!("错误 / error: {other}"),
    }
}
