"""Every /v1 call is authenticated by an API token or a ZAF-signed JWT, and scoped to its installation."""
import jwt as pyjwt

from tests.conftest import bearer, zaf_jwt

TICKET = {"ticket": {"id": "1", "subject": "Hello", "description": "Just a question about exports"}}


def test_missing_token_is_401_json(client):
    response = client.post("/v1/assessments", json=TICKET)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "missing_credentials"


def test_wrong_scheme_and_unknown_token_are_401(client, installation):
    basic = client.get("/v1/installation", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert basic.status_code == 401
    unknown = client.get("/v1/installation", headers=bearer("sct_not-a-real-token"))
    assert unknown.status_code == 401
    assert unknown.get_json()["error"]["code"] == "invalid_token"
    empty = client.get("/v1/installation", headers={"Authorization": "Bearer "})
    assert empty.status_code == 401 and "no token" in empty.get_json()["error"]["message"]


def test_api_token_authenticates(client, installation):
    response = client.get("/v1/installation", headers=bearer(installation["api_token"]))
    assert response.status_code == 200
    assert response.get_json()["id"] == installation["id"]


def test_zaf_jwt_authenticates(client, installation):
    response = client.get("/v1/installation", headers=bearer(zaf_jwt(installation)))
    assert response.status_code == 200
    assert response.get_json()["id"] == installation["id"]


def test_expired_jwt_is_401_naming_expiry(client, installation):
    response = client.get("/v1/installation", headers=bearer(zaf_jwt(installation, expires_in=-120)))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "token_expired"


def test_jwt_signed_with_another_secret_is_rejected(client, installation, make_installation):
    other = make_installation(name="Other Co")
    forged = zaf_jwt(installation, secret=other["shared_secret"])
    response = client.get("/v1/installation", headers=bearer(forged))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_unsigned_and_non_hs256_jwts_are_rejected(client, installation):
    unsigned = pyjwt.encode({"iss": installation["id"], "exp": 9999999999}, None, algorithm="none")
    assert client.get("/v1/installation", headers=bearer(unsigned)).status_code == 401
    hs512 = pyjwt.encode({"iss": installation["id"], "exp": 9999999999}, installation["shared_secret"] * 2,
                         algorithm="HS512")
    assert client.get("/v1/installation", headers=bearer(hs512)).status_code == 401


def test_jwt_without_exp_or_unknown_installation_is_rejected(client, installation):
    no_exp = pyjwt.encode({"iss": installation["id"]}, installation["shared_secret"], algorithm="HS256")
    assert client.get("/v1/installation", headers=bearer(no_exp)).status_code == 401
    stranger = zaf_jwt({"id": "inst_doesnotexist", "shared_secret": installation["shared_secret"]})
    response = client.get("/v1/installation", headers=bearer(stranger))
    assert response.status_code == 401
    assert "doesnotexist" not in response.get_data(as_text=True)


def test_jwt_living_too_long_is_rejected(client, installation):
    token = zaf_jwt(installation, expires_in=10 * 24 * 3600)
    assert client.get("/v1/installation", headers=bearer(token)).status_code == 401


def test_one_installation_cannot_read_anothers_assessment(client, installation, make_installation):
    other = make_installation(name="Rival Inc")
    created = client.post("/v1/assessments", json=TICKET, headers=bearer(installation["api_token"]))
    assert created.status_code == 201
    assessment_id = created.get_json()["id"]

    own = client.get(f"/v1/assessments/{assessment_id}", headers=bearer(installation["api_token"]))
    assert own.status_code == 200
    foreign = client.get(f"/v1/assessments/{assessment_id}", headers=bearer(other["api_token"]))
    assert foreign.status_code == 404
    assert foreign.get_json()["error"]["code"] == "not_found"
    foreign_jwt = client.get(f"/v1/assessments/{assessment_id}", headers=bearer(zaf_jwt(other)))
    assert foreign_jwt.status_code == 404
    listing = client.get("/v1/assessments", headers=bearer(other["api_token"])).get_json()
    assert listing["items"] == []
    listing_own = client.get("/v1/assessments", headers=bearer(installation["api_token"])).get_json()
    assert [item["id"] for item in listing_own["items"]] == [assessment_id]
