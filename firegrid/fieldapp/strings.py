"""The words the field app's JavaScript shows, translated on the server and handed over in a JSON
script block (the page runs no inline code)."""

from django.utils.translation import gettext as _


def app_strings():
    return {
        "online": _("Online"),
        "offline": _("Offline: your work is kept on this phone and sent when the network returns."),
        "download": _("Download today's list"),
        "downloading": _("Downloading…"),
        "downloaded": _("Today's list downloaded: %(n)s places."),
        "download_failed": _("The list could not be downloaded: no network. The last list is kept."),
        "list_date": _("List of %(date)s"),
        "no_list": _("No list on this phone yet. Download it while you have signal."),
        "no_places": _("Nothing to visit in your grids today."),
        "patrol": _("Patrol"),
        "supervisory": _("Planned inspection"),
        "start": _("Start"),
        "continue": _("Continue"),
        "last_inspected": _("Last inspected %(date)s"),
        "never_inspected": _("Never inspected"),
        "drafts": _("Drafts on this phone"),
        "queue_title": _("Waiting to send"),
        "waiting": _("%(n)s waiting to send"),
        "queued": _("Waiting"),
        "all_sent": _("Everything is sent."),
        "send_now": _("Send now"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "back": _("Back to the list"),
        "pass": _("Pass"),
        "fail": _("Fail"),
        "na": _("N/A"),
        "note": _("What is wrong"),
        "corrected": _("Corrected on the spot"),
        "photo": _("Photo"),
        "photo_added": _("Photo added (%(kb)s KB)."),
        "photo_failed": _("This file is not a photo the phone can read."),
        "remove_photo": _("Remove photo"),
        "notes": _("Notes on the visit"),
        "location": _("Stamp my location"),
        "location_done": _("Location stamped."),
        "location_failed": _("Location not available."),
        "finish": _("Finish and send"),
        "finished": _("Finished: it will be sent when the network allows."),
        "unanswered": _("%(n)s items not answered yet."),
        "answered": _("%(n)s of %(total)s answered"),
        "saved_draft": _("Saved on this phone."),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this visit from the phone? It has not been sent."),
        "edit": _("Edit again"),
        "retry": _("Try again"),
        "conflict": _("Not sent"),
        "rejected": _("Needs a change"),
        "login_needed": _("Your login has expired: log in again, then send. Nothing is lost."),
        "server_error": _("The server had a problem; it will be tried again."),
        "cases_opened": _("Hazard cases opened: %(codes)s"),
        "storage_missing": _("This browser cannot keep work offline (no IndexedDB)."),
        # steps on hazard cases
        "cases_title": _("Open hazard cases"),
        "places_title": _("Places to visit"),
        "held_at": _("Held at: %(level)s"),
        "rectify_by": _("Rectify by %(date)s"),
        "steps_waiting": _("%(n)s step(s) waiting to send"),
        "passed": _("Passed: the hazard is gone"),
        "failed": _("Failed: still a hazard"),
        "note_rectified": _("What was done to rectify it"),
        "note_reinspect": _("What you found (required when it failed)"),
        "note_step": _("Note"),
        "save_step": _("Save and send"),
        "note_needed": _("Write the note first."),
        "passed_needed": _("Say whether the re-inspection passed."),
        "conflicts_title": _("Conflicts: not recorded"),
        "conflicts_intro": _(
            "These steps were refused: the case moved on while you were offline, or it is no longer yours. "
            "What you wrote stays here until you dismiss it."
        ),
        "your_note": _("You wrote:"),
        "send_as_note": _("Send it as a note on the case"),
        "dismiss": _("Dismiss"),
        "dismiss_confirm": _(
            "Remove this step from the phone? Its note and photos are deleted from this phone."
        ),
    }


def report_strings():
    return {
        "finding": _("Finding your location…"),
        "found": _("Location found."),
        "unavailable": _("Your location is not available. Enter an address, or the coordinates."),
        "from_photo": _("Location taken from the photo."),
        "title": _("Is it one of these?"),
        "intro": _("Open reports of the same kind within %(m)s m:"),
        "distance": _("%(m)s m away · reported %(date)s"),
        "me_too": _("This is it: me too"),
        "open_case": _("Open case %(code)s"),
        "otherwise": _("Not one of these? Go on with your report below."),
        "photos_working": _("Preparing the photos…"),
        "photos_ready": _("%(n)s photo(s) ready to send (%(kb)s KB)."),
        "common_here": _("common here"),
        "suggested_from": _(
            "Suggested from the nearest registered place, %(place)s: change it if it is wrong."
        ),
        "suggested_nearby": _("Suggested from the registered places nearby: change it if it is wrong."),
    }
