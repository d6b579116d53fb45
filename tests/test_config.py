import pytest

from app.config import ConfigError, load_config

PRODUCTION = {
    "FLEXCHAIN_ENV": "production",
    "SHOPIFY_API_KEY": "k",
    "SHOPIFY_API_SECRET": "s",
    "ENCRYPTION_KEY": "ZmRmZGZkZmRmZGZkZmRmZGZkZmRmZGZkZmRmZGZkZmQ=",
    "DATABASE_URL": "postgres://u@db/flexchain",
    "REDIS_URL": "redis://redis:6379/0",
    "APP_URL": "https://flexchain.example.com",
}


@pytest.mark.parametrize(
    "missing", ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL", "APP_URL"]
)
def test_production_refuses_to_boot_without_each_required_variable(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError) as err:
        load_config(env)
    assert missing in str(err.value)
    assert "\n" not in str(err.value)


def test_production_config_is_typed_and_normalised():
    config = load_config(PRODUCTION)
    assert config.is_production
    assert config.database_url == "postgresql+psycopg://u@db/flexchain"
    assert config.encryption_keys == (PRODUCTION["ENCRYPTION_KEY"],)
    assert config.generated == ()


def test_a_malformed_encryption_key_is_named():
    with pytest.raises(ConfigError, match="ENCRYPTION_KEY"):
        load_config({**PRODUCTION, "ENCRYPTION_KEY": "not-a-key"})


def test_development_generates_what_is_missing_and_defaults_to_sqlite(tmp_path, monkeypatch):
    import app.config as config_module

    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path)
    config = load_config({})
    assert config.database_url.startswith("sqlite:///")
    assert str(tmp_path) in config.database_url
    assert config.redis_url is None
    assert set(config.generated) == {"SHOPIFY_API_KEY", "SHOPIFY_API_SECRET", "ENCRYPTION_KEY"}
    # A restart reads the same generated values, so tokens encrypted before stay readable.
    again = load_config({})
    assert again.encryption_keys == config.encryption_keys
    assert again.shopify_api_secret == config.shopify_api_secret


def test_shopify_cli_app_url_is_used_when_app_url_is_unset(tmp_path, monkeypatch):
    import app.config as config_module

    monkeypatch.setattr(config_module, "INSTANCE_DIR", tmp_path)
    config = load_config({"SHOPIFY_APP_URL": "https://tunnel.example.com/"})
    assert config.app_url == "https://tunnel.example.com"
