"""Messages (portal.middleware.MessageMiddleware): Django's, with the storage made only when a page uses it."""

from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.utils.functional import empty

from portal.middleware import MessageMiddleware


def through_middleware(rf, view, cookies=None):
    request = rf.get("/alerts/manage/")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda r: None).process_request(request)
    response = MessageMiddleware(view)(request)
    return request, response


def test_a_page_that_uses_no_messages_never_makes_the_storage(rf):
    request, response = through_middleware(rf, lambda request: HttpResponse("page"))
    assert request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_added_reaches_the_next_page(rf, db):
    def saves(request):
        messages.success(request, "Your choices are saved.")
        return HttpResponse("saved")

    _, response = through_middleware(rf, saves)
    cookie = response.cookies["messages"].value
    assert cookie

    shown = []

    def shows(request):
        shown.extend(str(message) for message in messages.get_messages(request))
        return HttpResponse("next")

    _, response = through_middleware(rf, shows, {"messages": cookie})
    assert shown == ["Your choices are saved."]
    assert response.cookies["messages"].value == ""  # read, so removed
