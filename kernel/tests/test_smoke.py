def test_home_anonymous(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Log in" in response.get_data(as_text=True)


def test_home_logged_in(client_as):
    client = client_as("learner")
    response = client.get("/")
    assert response.status_code == 200
    assert client.user.username in response.get_data(as_text=True)
