"""`civicpulse telegram set-webhook|delete-webhook|webhook-info`: register the collaborators' bot."""

from __future__ import annotations

import click
import httpx

from civicpulse.cli.context import AppContext, echo_json, pass_app
from civicpulse.collect.telegram_bot import WEBHOOK_PATH, delete_webhook, set_webhook, webhook_info
from civicpulse.config import Settings
from civicpulse.errors import ConfigError

drop_option = click.option(
    "--drop-pending",
    is_flag=True,
    help="Drop the updates Telegram holds for the bot instead of sending them.",
)


def _client(settings: Settings) -> tuple[httpx.Client, str]:
    if not settings.telegram_bot_token:
        raise ConfigError("set CIVICPULSE_TELEGRAM_BOT_TOKEN to the token @BotFather gave the bot")
    return httpx.Client(base_url=settings.telegram_api_url, timeout=20.0), settings.telegram_bot_token


@click.group()
def telegram() -> None:
    """Register the collaborators' Telegram bot webhook with the Bot API."""


@telegram.command("set-webhook")
@click.option("--url", default="", help="Webhook address (default: PUBLIC_URL + /telegram/webhook).")
@drop_option
@pass_app
def set_webhook_command(app: AppContext, url: str, drop_pending: bool) -> None:
    """Tell Telegram to send updates to this site, with the webhook secret (setWebhook)."""
    settings = app.settings
    target = url or settings.public_url.rstrip("/") + WEBHOOK_PATH
    client, token = _client(settings)
    with client:
        set_webhook(client, token, target, settings.telegram_webhook_secret, drop_pending=drop_pending)
    click.echo(f"Telegram now sends the bot's updates to {target} (with the secret token).")


@telegram.command("delete-webhook")
@drop_option
@pass_app
def delete_webhook_command(app: AppContext, drop_pending: bool) -> None:
    """Tell Telegram to stop sending updates to the webhook (deleteWebhook)."""
    client, token = _client(app.settings)
    with client:
        delete_webhook(client, token, drop_pending=drop_pending)
    click.echo("Telegram no longer calls the webhook.")


@telegram.command("webhook-info")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def webhook_info_command(app: AppContext, as_json: bool) -> None:
    """Show where Telegram sends updates, how many wait and the last error (getWebhookInfo)."""
    client, token = _client(app.settings)
    with client:
        info = webhook_info(client, token)
    if as_json:
        echo_json(info)
        return
    click.echo(f"URL: {info.get('url') or '(none)'}")
    click.echo(f"Pending updates: {info.get('pending_update_count', 0):,}")
    if info.get("last_error_message"):
        click.echo(f"Last error: {info['last_error_message']}")
