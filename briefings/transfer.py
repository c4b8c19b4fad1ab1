"""Briefings in and out of the admin: a zip of .md files to download; an upload read safely, previewed, confirmed."""

import datetime
import io
import re
import secrets
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from portal import publication

from .importer import (
    MAX_FILE_SIZE,
    ImportResult,
    _comparable,
    briefing_to_data,
    import_file,
    parse_briefing,
    prefetched,
    render_briefing,
)
from .models import Briefing, ImportBatch

MAX_FILES = 200  # far more than a partnership publishes; an upload with more is refused whole
MAX_TOTAL_SIZE = 20 * 1024 * 1024  # of all files unpacked together: a zip bomb stops here
MAX_DIRECTORY_SIZE = 1024 * 1024  # a zip's list of members, read before any member is
BATCH_LIFETIME = datetime.timedelta(hours=1)
BATCHES_PER_USER = 3
MARKDOWN = (".md", ".markdown")
# What a Mac puts in a zip it makes (Finder's "Compress"); not the user's files, so passed over.
MAC_EXTRAS = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|\._)")
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class UploadError(ValueError):
    """An upload refused whole (nothing kept, nothing written); `problems` lists each reason."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# --- Export ----------------------------------------------------------------------------------


def file_name(slug, taken):
    """`<slug>.md`, safe in any folder and not already in `taken` (which it joins)."""
    base = UNSAFE_NAME.sub("-", slug).strip("-.") or "briefing"
    name, n = f"{base}.md", 1
    while name.casefold() in taken:
        n += 1
        name = f"{base}-{n}.md"
    taken.add(name.casefold())
    return name


def export_zip(queryset):
    """The briefings as a zip of <slug>.md files in the import format (the bytes)."""
    buffer, taken = io.BytesIO(), set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for briefing in prefetched(queryset.order_by("slug")):
            archive.writestr(file_name(briefing.slug, taken), render_briefing(briefing_to_data(briefing)))
    return buffer.getvalue()


def export_file_name(today=None):
    return f"briefings-{(today or timezone.localdate()):%Y-%m-%d}.zip"


# --- Reading an upload -----------------------------------------------------------------------


def read_uploads(uploads):
    """[(name, bytes)] from uploaded .md files and .zip archives of them; UploadError lists every problem."""
    files, problems = [], []
    for upload in uploads:
        name = _printable(upload.name)
        lower = name.lower()
        if lower.endswith(".zip"):
            try:
                files += read_zip(upload, name)
            except UploadError as error:
                problems += error.problems
        elif lower.endswith(MARKDOWN):
            files.append((name, upload.read(MAX_FILE_SIZE + 1)))  # a larger one is reported by the importer
        else:
            problems.append(f"{name}: is not a .md file or a .zip of .md files; export or save briefings as .md")
    if len(files) > MAX_FILES:
        problems.append(f"upload: has {len(files)} files; import at most {MAX_FILES} at a time")
    if sum(len(raw) for _, raw in files) > MAX_TOTAL_SIZE:
        megabytes = MAX_TOTAL_SIZE // 1024 // 1024
        problems.append(f"upload: the files come to more than {megabytes} MB; import fewer at a time")
    names = [name for name, _ in files]
    problems += [f"{name}: is in the upload twice" for name in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise UploadError(problems)
    return files


def read_zip(upload, name):
    """[(archive/member, bytes)] of a zip's .md files; UploadError for anything unsafe, damaged or too large."""
    _check_directory(upload, name)
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise UploadError([f"{name}: is not a zip file that can be opened; make the zip again"]) from error
    with archive:
        members, problems = [], []
        for info in archive.infolist():
            member = info.filename
            shown = f"{name}/{_printable(info.orig_filename)}"
            if "\x00" in info.orig_filename:  # zipfile cuts the name there: "a.md\x00.exe" would pass as "a.md"
                problems.append(f"{shown}: the name contains a NUL character; refused")
                continue
            parts = member.replace("\\", "/").split("/")
            if member.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member) or ".." in parts:
                problems.append(f"{shown}: the path leads outside the zip (absolute or with '..'); refused")
                continue
            if info.is_dir() or MAC_EXTRAS.search(member):
                continue
            if not member.lower().endswith(MARKDOWN):
                problems.append(f"{shown}: is not a .md file; the zip may hold only briefings as .md files")
                continue
            if info.flag_bits & 0x1:
                problems.append(f"{shown}: is password-protected; make the zip without a password")
                continue
            members.append((shown, info))
        if len(members) > MAX_FILES:
            problems.append(f"{name}: has {len(members)} .md files; import at most {MAX_FILES} at a time")
        if problems:
            raise UploadError(problems)
        files, total = [], 0
        for shown, info in members:
            try:
                with archive.open(info) as member_file:
                    raw = member_file.read(MAX_FILE_SIZE + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as error:
                problem = f"{shown}: cannot be unpacked (the zip is damaged or uses an unusual method)"
                raise UploadError([problem]) from error
            total += len(raw)
            if total > MAX_TOTAL_SIZE:
                raise UploadError(
                    [f"{name}: unpacked, it comes to more than {MAX_TOTAL_SIZE // 1024 // 1024} MB; import fewer files"]
                )
            files.append((shown, raw))
    return files


def _check_directory(upload, name):
    """Refuse a zip whose list of members is too long to read, before zipfile reads it into memory."""
    upload.seek(0, io.SEEK_END)
    size = upload.tell()
    upload.seek(max(0, size - 65_557))  # the end record, after a comment of at most 64 KB
    tail = upload.read()
    upload.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise UploadError([f"{name}: is not a zip file that can be opened; make the zip again"])
    entries, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF or directory_size > MAX_DIRECTORY_SIZE:
        raise UploadError([f"{name}: lists too many files; import at most {MAX_FILES} at a time"])
    if entries > MAX_FILES * 2:
        raise UploadError([f"{name}: has {entries} files; import at most {MAX_FILES} at a time"])


def _printable(name):
    """A file name as it can be shown: control characters made visible, never more than 200 characters."""
    name = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(name or "unnamed"))
    return name if len(name) <= 200 else name[:197] + "..."


# --- Preview and confirm ---------------------------------------------------------------------

PART_NAMES = {
    "sections": "sections",
    "key_facts": "key facts",
    "questions": "questions",
    "resources": "resources",
    "themes": "themes",
    "courses": "linked courses",
    "professional_groups": "professional groups",
}


@dataclass
class FilePreview:
    """What confirming would do with one file: its result as a dry run, and what it would change."""

    result: ImportResult
    counts: dict = field(default_factory=dict)  # "sections" -> 7, ...
    changed: list = field(default_factory=list)  # names of the fields that would change
    waits_for_approval: bool = False

    @property
    def ok(self):
        return self.result.ok


def preview(files, user, can_publish):
    """Import `files` as a dry run that is rolled back whole; one FilePreview per file, nothing written."""
    previews, seen = [], {}
    with publication.hold(user, discard=True):
        for name, raw in files:
            before = _current(raw)
            result = import_file(name, raw, can_publish=can_publish, seen=seen, user=user)
            item = FilePreview(result=result)
            if result.ok:
                after = briefing_to_data(prefetched(Briefing.objects.filter(slug=result.slug)).get())
                item.counts = {label: len(after[key]) for key, label in PART_NAMES.items()}
                if before is not None:
                    old, new = _comparable(before), _comparable(after)
                    item.changed = [key.replace("_", " ") for key in new if old.get(key) != new[key]]
                    item.waits_for_approval = (
                        bool(item.changed)
                        and before["status"] == Briefing.Status.PUBLISHED
                        and not publication.may_publish(user, Briefing)
                    )
                    if item.waits_for_approval:
                        _refuse_if_someone_else_waits(item, user)
            previews.append(item)
        transaction.set_rollback(True)  # also when there is no user, and so no hold to discard
    return previews


def _refuse_if_someone_else_waits(item, user):
    """Say now what confirming would refuse: a change laid over another person's change still waiting."""
    pk = Briefing.objects.filter(slug=item.result.slug).values_list("pk", flat=True).first()
    waiting = publication.pending_for_pk(Briefing, pk)
    if waiting is not None and waiting.author_id != user.pk:
        item.result.error = (
            f"{item.result.name}: file: {publication.who(waiting.author)}'s changes to “{waiting.title}” are already "
            "waiting for approval; ask a publisher to approve or return them first, then import this file again"
        )


def _current(raw):
    """The saved briefing this file would replace, in the data shape, or None (a new one, or an unreadable file)."""
    try:
        slug = parse_briefing(raw)["slug"]
    except ValueError:
        return None
    existing = prefetched(Briefing.objects.filter(slug=slug)).first()
    return briefing_to_data(existing) if existing else None


class _Refused(Exception):
    pass


def confirm(files, user, can_publish, base_url=""):
    """Import `files` in one transaction, each through the sign-off hold; (results, written) — all or nothing."""
    results, seen = [], {}
    try:
        with transaction.atomic():
            for name, raw in files:
                results.append(import_file(name, raw, can_publish=can_publish, seen=seen, user=user, base_url=base_url))
            if not all(result.ok for result in results):
                raise _Refused
    except _Refused:
        return results, False
    return results, True


def keep_batch(user, files):
    """Keep the previewed files for `user`; only the random token naming them goes to the browser, never the files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, raw) in enumerate(files):
            # The member name is a number: the shown name is kept in the comment, never used as a path.
            info = zipfile.ZipInfo(f"{index:04d}.md")
            info.comment = name.encode("utf-8")
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, raw)
    expired = ImportBatch.objects.filter(created__lt=timezone.now() - BATCH_LIFETIME)
    expired.delete()
    older = ImportBatch.objects.filter(user=user).order_by("-created").values_list("pk", flat=True)
    ImportBatch.objects.filter(pk__in=list(older[BATCHES_PER_USER - 1 :])).delete()
    token = secrets.token_urlsafe(32)
    ImportBatch.objects.create(token=token, user=user, files=buffer.getvalue())
    return token


def take_batch(token, user):
    """The files kept under `token` for `user`, removed so they import once; None if unknown, expired or not theirs.

    Call inside a transaction: a confirm that fails keeps the batch, as its rollback restores it.
    """
    batch = (
        ImportBatch.objects.select_for_update()
        .filter(token=str(token)[:64], user=user, created__gte=timezone.now() - BATCH_LIFETIME)
        .first()
    )
    if batch is None:
        return None
    with zipfile.ZipFile(io.BytesIO(bytes(batch.files))) as archive:
        files = [(info.comment.decode("utf-8"), archive.read(info)) for info in archive.infolist()]
    batch.delete()
    return files
