from app import create_app
from tests.conftest import make_config


def test_healthz_answers_while_the_process_is_up(client):
    assert client.get("/healthz").status_code == 200


def test_readyz_is_ready_when_database_and_queue_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "queue": "ok"}


def test_readyz_is_503_when_the_queue_is_unreachable(migrated_database):
    # Nothing listens on port 1: the queue check must fail quickly and say so.
    app = create_app(make_config(redis_url="redis://127.0.0.1:1/0"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["queue"].startswith("unreachable")
    assert response.json["checks"]["database"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(redis_url):
    app = create_app(make_config(database_url="postgresql+psycopg://postgres@127.0.0.1:1/test"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"].startswith("unreachable")
