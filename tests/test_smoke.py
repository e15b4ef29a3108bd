def test_api_me_requires_auth(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "Bearer" in response.json()["detail"]
