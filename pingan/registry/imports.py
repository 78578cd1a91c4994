"""Imports that check every row and commit all or nothing (or the valid rows only,
when asked), run by the worker for an uploaded file or by `pingan registry import`,
with the file's bad rows offered back to correct."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.audit.services import journal_write
from pingan.bulk import bulk_insert, bulk_insert_values
from pingan.jobs.models import Job
from pingan.jobs.services import Superseded, job_enqueue
from pingan.lib import fieldspec, idnumber
from pingan.lib.divisions import Level
from pingan.lib.sheets import Fail, RowError, SheetError, Table, read_rows
from pingan.lib.text import clean_phone
from pingan.regions.models import Region
from pingan.registry import definitions, records
from pingan.registry.codes import PersonStatus
from pingan.registry.columns import (
    COMMON_COLUMNS,
    PEOPLE,
    PEOPLE_COLUMNS,
    SUBJECT_KEYS,
    code_table,
    definition_for,
    example,
    headers,
    person_code_table,
)
from pingan.registry.crypto import cipher
from pingan.registry.models import (
    Definition,
    House,
    Household,
    ImportJob,
    MoveKind,
    Organisation,
    Person,
    PersonHistory,
    Place,
    Record,
    Subject,
)
from pingan.registry.services import RegistryError, person_values

MAX_ROWS = 300_000  # a district at a time (the seed: 226,127 people); bigger: split

# The file as a whole cannot be used (wrong kind, unreadable, no header): the
# sheets' own refusal, which the reading in lib.sheets raises too.
TransferError = SheetError


@dataclass
class Outcome:
    total: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    check_seconds: float = 0.0  # reading and checking every row
    commit_seconds: float = 0.0


Progress = Callable[[int, int], None]


def import_file(
    *,
    user: User,
    kind: str,
    path: Path,
    valid_only: bool = False,
    progress: Progress | None = None,
) -> Outcome:
    """Check every row; commit all of them, or none while any row is bad (unless
    valid_only, when the good ones go in and the bad are reported)."""
    with _gc_paused():
        return _import(user, kind, path, valid_only, progress)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Hundreds of thousands of live rows make each cyclic collection walk them
    all again; nothing here makes cycles, so collect once at the end instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(
    user: User, kind: str, path: Path, valid_only: bool, progress: Progress | None
) -> Outcome:
    started = time.perf_counter()
    table = read_rows(path, max_rows=MAX_ROWS)
    importer: _Importer = (
        PeopleImporter(user) if kind == PEOPLE else RecordImporter(user, definition_for(kind))
    )
    missing = [h for h in importer.required_headers() if h not in table.header]
    if missing:
        raise TransferError(f"缺少列：{'、'.join(missing)}（请使用下载的模板）")
    outcome = Outcome(total=len(table.rows))
    built: list[Any] = []
    importer.prefetch(table)
    samples = _example_rows(kind, table)
    for index, result in enumerate(_checked(importer, table, progress)):
        if index in samples:
            result = [RowError(index + 2, "", "这是模板里的示例行，请删除后再导入")]
        if isinstance(result, list):
            outcome.errors.extend(result)
            continue
        problems = importer.reconcile(result)
        if problems:
            outcome.errors.extend(problems)
        else:
            built.append(result)
    outcome.errors.extend(importer.check_against_registry(built))
    bad_rows = {e.row for e in outcome.errors}
    good = [item for item in built if item.row not in bad_rows]
    outcome.check_seconds = time.perf_counter() - started
    if outcome.errors and not valid_only:
        return outcome
    started = time.perf_counter()
    with transaction.atomic():
        if progress:  # as a job: proof, in the commit's transaction, that it is still ours
            progress(len(table.rows), len(table.rows))
        ids = importer.commit(good)
        outcome.imported = len(ids)
        # One journal row for the import as a whole: the file by its SHA-256 (it is
        # kept), and the ids it created, which bulk_insert reserves in one run.
        journal_write(
            actor=user,
            action="registry.import",
            object_type="import",
            object_id=kind,
            data={
                "file": path.name,
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "imported": len(ids),
                "bad_rows": len(bad_rows),
                "first_id": min(ids, default=None),
                "last_id": max(ids, default=None),
            },
        )
    outcome.commit_seconds = time.perf_counter() - started
    if progress:
        progress(len(table.rows), len(table.rows))
    return outcome


def _example_rows(kind: str, table: Table) -> set[int]:
    """Indexes of rows left as the template's example row (an error, not an import)."""
    sample = dict(zip(headers(kind), example(kind), strict=True))
    marker = next(v for v in sample.values() if "示例" in v)
    column = next(name for name, value in sample.items() if value == marker)
    return {i for i, value in enumerate(table.column(column)) if value == marker}


PARALLEL_FROM = 20_000  # rows; below this a second process costs more than it saves
CHUNK_ROWS = 5_000
_checking: tuple[_Importer, Table] | None = None  # what a forked checker process uses


def _checked(importer: _Importer, table: Table, progress: Progress | None) -> Iterator[Any]:
    """Each row's check result, in file order. Rows are checked by every core when
    the importer's check needs no database (everything it looks up was fetched
    first): forked processes share the file and the lookups without copying them."""
    global _checking
    total = len(table.rows)
    chunks = [(start, min(start + CHUNK_ROWS, total)) for start in range(0, total, CHUNK_ROWS)]
    workers = min(os.cpu_count() or 1, 4)
    parallel = (
        importer.pure_check
        and total >= PARALLEL_FROM
        and workers > 1
        and "fork" in multiprocessing.get_all_start_methods()
        # A fork copies only the calling thread: a lock another thread held stays
        # locked in the child for ever. Jobs run in a process of their own with no
        # other threads; anywhere else (a test, a threaded server) check in-process.
        and threading.active_count() == 1
    )
    done = 0
    if parallel:
        _checking = (importer, table)
        try:
            fork = multiprocessing.get_context("fork")
            with fork.Pool(workers, initializer=_child_defaults) as pool:
                for results in pool.imap(_check_chunk, chunks):
                    done += len(results)
                    if progress:
                        progress(done, total)
                    yield from results
        finally:
            _checking = None
        return
    for start, end in chunks:
        yield from (importer.check(i + 2, table.cells(i)) for i in range(start, end))
        done += end - start
        if progress:
            progress(done, total)


def _child_defaults() -> None:
    """A checker stops on Pool.terminate()'s SIGTERM whatever handler its parent had,
    and dies with its parent: a job process killed -9 must not leave its checkers
    waiting on the task pipe for ever (Linux's PR_SET_PDEATHSIG)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


def _check_chunk(chunk: tuple[int, int]) -> list:
    assert _checking is not None
    importer, table = _checking
    return [importer.check(i + 2, table.cells(i)) for i in range(*chunk)]


class _Importer:
    pure_check = False  # True when check() touches no database and keeps no state

    def required_headers(self) -> list[str]:
        raise NotImplementedError

    def prefetch(self, table: Table) -> None:
        """Look up, in a few queries, what the rows refer to."""

    def check(self, number: int, cells: dict[str, str]) -> Any:
        raise NotImplementedError

    def reconcile(self, item: Any) -> list[RowError]:
        """Checks across rows, made in file order after each row's own check."""
        return []

    def check_against_registry(self, built: list[Any]) -> list[RowError]:
        return []

    def commit(self, built: list[Any]) -> list[int]:
        """Store the checked rows; the ids of what was created."""
        raise NotImplementedError


@dataclass
class NewPerson:
    """A checked row: the person's column values (grid, household and house ids
    among them), and the number of a household the import must create."""

    row: int
    values: dict[str, Any]
    new_household: str = ""


class PeopleImporter(_Importer):
    """实有人口 with their households: each row one person, placed in a grid by its
    grid code, its household, its house or its address."""

    pure_check = True

    def __init__(self, user: User):
        self.user = user
        self.grids = {
            g.code: g
            for g in access.scope(
                user,
                Region.objects.filter(level=Level.GRID, active=True).defer("boundary"),
                field="path",
                write=True,
            )
        }
        self.by_id = {g.pk: g for g in self.grids.values()}
        self.households: dict[str, Household | None] = {}
        self.houses: dict[str, House | None] = {}
        self.seen: dict[str, int] = {}  # identity hash → first row
        self.new_households: dict[str, int] = {}  # number → grid id
        self.addresses: dict[str, Region] = {}
        self.codes = {c.key: person_code_table(c.key) for c in COMMON_COLUMNS if c.coded}

    def required_headers(self) -> list[str]:
        return [c.header for c in PEOPLE_COLUMNS if c.required]

    def prefetch(self, table: Table) -> None:
        households, houses = table.column("户号"), table.column("房屋编号")
        self.households.update(self._known(Household, set(households)))
        self.houses.update(self._known(House, set(houses)))
        places = zip(
            table.column("现住地详址"), table.column("网格编码"), households, houses, strict=True
        )
        unplaced = {
            address
            for address, grid, household, house in places
            if address and not (grid or household or house)
        }
        self.addresses = self._grids_by_address(unplaced)

    def _grids_by_address(self, addresses: set[str]) -> dict[str, Region]:
        """An address known for houses or households of exactly one of the user's grids."""
        found: dict[str, set[int]] = {}
        wanted = sorted(addresses)
        for model in (House, Household):
            for start in range(0, len(wanted), 1000):
                rows = model.objects.filter(address__in=wanted[start : start + 1000])
                for address, grid_id in rows.values_list("address", "grid_id"):
                    found.setdefault(address, set()).add(grid_id)
        return {
            address: self.by_id[ids.pop()]
            for address, ids in found.items()
            if len(ids) == 1 and next(iter(ids)) in self.by_id
        }

    def _known(self, model: type[Household | House], numbers: set[str]) -> dict[str, Any]:
        """Each number: its household or house if in the user's grids, else None."""
        wanted = sorted(n for n in numbers if n)
        known: dict[str, Any] = dict.fromkeys(wanted)
        for start in range(0, len(wanted), 1000):
            for item in model.objects.filter(number__in=wanted[start : start + 1000]):
                known[item.number] = item if item.grid_id in self.by_id else None
        return known

    def check(self, number: int, cells: dict[str, str]) -> NewPerson | list[RowError]:
        errors: list[RowError] = []

        def fail(column: str, message: str) -> None:
            errors.append(RowError(number, column, message))

        fields: dict[str, str] = {}
        for column in COMMON_COLUMNS:
            value = cells.get(column.header, "")
            if value and column.coded:
                code = self.codes[column.key].get(value)
                if code is None:
                    fail(column.header, f"「{value}」不在代码表中")
                    continue
                value = code
            fields[column.key] = value
        for column in PEOPLE_COLUMNS:
            if column.required and not cells.get(column.header):
                fail(column.header, "必填")
        grid, household, house = self._place(cells, fail)
        self._check_identity(cells, fail)
        if errors:
            return errors  # every problem of the row at once, not the first
        assert grid is not None  # _place reported it otherwise
        try:
            values = person_values(
                grid=grid,
                name=cells["姓名"],
                id_number=cells["公民身份号码"],
                phone=cells.get("联系电话", ""),
                **fields,
            )
        except RegistryError as exc:
            return [RowError(number, "公民身份号码", str(exc))]
        values["household_id"] = household.pk if household else None
        values["house_id"] = house.pk if house else None
        new_household = cells.get("户号", "") if household is None else ""
        return NewPerson(number, values, new_household)

    @staticmethod
    def _check_identity(cells: dict[str, str], fail: Fail) -> None:
        """The identity number, the phone and the gender against the number, each
        on its own, so a row with three mistakes hears of all three."""
        number, phone = cells.get("公民身份号码", ""), cells.get("联系电话", "")
        try:
            parsed = idnumber.parse(number) if number else None
        except idnumber.InvalidIdNumber as exc:
            fail("公民身份号码", str(exc))
            parsed = None
        if phone and clean_phone(phone) is None:
            fail("联系电话", f"「{phone}」格式不对（手机11位，或区号-号码）")
        gender = cells.get("性别", "")
        if parsed and gender and {"男": "M", "女": "F"}.get(gender, gender) != parsed.gender:
            fail("性别", "与身份证号的性别位不符")

    def reconcile(self, item: NewPerson) -> list[RowError]:
        """What one row cannot know alone: the same person twice in the file, and a
        new household whose rows name different grids. Rows come in file order."""
        first = self.seen.setdefault(item.values["id_number_hash"], item.row)
        if first != item.row:
            return [RowError(item.row, "公民身份号码", f"与第{first}行重复")]
        if item.new_household:
            first_grid = self.new_households.setdefault(item.new_household, item.values["grid_id"])
            if first_grid != item.values["grid_id"]:
                return [RowError(item.row, "户号", "同一新户号的人员在不同网格")]
        return []

    def _place(
        self, cells: dict[str, str], fail: Fail
    ) -> tuple[Region | None, Household | None, House | None]:
        """The grid from its code, else from the household, the house or the address."""
        household = self._household(cells.get("户号", ""))
        house = self._house(cells.get("房屋编号", ""))
        code = cells.get("网格编码", "")
        grid = self.grids.get(code) if code else None
        if code and grid is None:
            fail("网格编码", f"网格 {code} 不存在或不在您的管辖范围内")
            return None, None, None
        if cells.get("房屋编号") and house is None:
            fail("房屋编号", f"房屋 {cells['房屋编号']} 不存在或不在您的管辖范围内")
        for known in (household, house):
            if known is not None:
                anchored = self.by_id.get(known.grid_id)
                if grid is not None and anchored is not None and anchored != grid:
                    fail("网格编码", "与户或房屋所在网格不一致")
                grid = grid or anchored
        if grid is None and cells.get("现住地详址"):
            grid = self.addresses.get(cells["现住地详址"])
        if grid is None:
            fail("网格编码", "无法确定网格：请填网格编码，或已有的户号、房屋编号、地址")
        return grid, household, house

    def _household(self, number: str) -> Household | None:
        return self.households.get(number) if number else None

    def _house(self, number: str) -> House | None:
        return self.houses.get(number) if number else None

    def check_against_registry(self, built: list[NewPerson]) -> list[RowError]:
        errors = []
        by_hash = {item.values["id_number_hash"]: item for item in built}
        hashes = list(by_hash)
        for start in range(0, len(hashes), 1000):
            existing = Person.objects.filter(id_number_hash__in=hashes[start : start + 1000])
            for found in existing.values_list("id_number_hash", flat=True):
                errors.append(
                    RowError(by_hash[found].row, "公民身份号码", "该身份证号已在册（迁入请用迁移）")
                )
        taken = set(
            Household.objects.filter(
                number__in={i.new_household for i in built if i.new_household}
            ).values_list("number", flat=True)
        )
        for item in built:
            if item.new_household in taken:
                errors.append(RowError(item.row, "户号", "户号已被其他网格使用"))
        return errors

    def commit(self, built: list[NewPerson]) -> list[int]:
        new_households: dict[str, dict[str, Any]] = {}
        for item in built:
            if item.new_household:
                grid = self.by_id[item.values["grid_id"]]
                new_households.setdefault(
                    item.new_household,
                    {
                        "grid_id": grid.pk,
                        "region_path": grid.path,
                        "number": item.new_household,
                        "address": item.values.get("current_address") or grid.name,
                    },
                )
        household_ids = dict(
            zip(
                new_households,
                bulk_insert_values(Household, list(new_households.values())),
                strict=True,
            )
        )
        for item in built:
            if item.new_household:
                item.values["household_id"] = household_ids[item.new_household]
        ids = bulk_insert_values(Person, [item.values for item in built])
        now = timezone.now()
        history = [
            {
                "person_id": pk,
                "kind": MoveKind.REGISTER,
                "at": now,
                "actor_id": self.user.pk,
                "to_grid_id": item.values["grid_id"],
                "note": "批量导入",
            }
            for pk, item in zip(ids, built, strict=True)
        ]
        bulk_insert_values(PersonHistory, history)
        return ids


@dataclass
class NewRecord:
    row: int
    record: Record


class RecordImporter(_Importer):
    """Records of one category, each found by its subject's key column."""

    def __init__(self, user: User, definition: Definition):
        records.require_may_see(user, definition)
        self.user, self.definition = user, definition
        self.key = SUBJECT_KEYS[Subject(definition.subject)]
        self.seen: dict[int, int] = {}
        self.today = timezone.localdate()

    def required_headers(self) -> list[str]:
        return [self.key] + [f["label"] for f in self.definition.fields if f["required"]]

    def check(self, number: int, cells: dict[str, str]) -> NewRecord | list[RowError]:
        errors: list[RowError] = []
        subject = self._subject(cells.get(self.key, ""))
        if subject is None:
            errors.append(
                RowError(number, self.key, "找不到该对象，或不在您的管辖范围内，或已归档")
            )
        values, problems = fieldspec.clean_values(self.definition.fields, cells)
        errors += [RowError(number, p.label, p.message) for p in problems]
        risk = (
            code_table(Record, "risk_level").get(cells["风险等级"]) if cells.get("风险等级") else ""
        )
        if risk is None:
            errors.append(RowError(number, "风险等级", "应为 低、中 或 高"))
        elif self.definition.visit_days and not risk:
            errors.append(RowError(number, "风险等级", "必填，用于确定走访周期"))
        started = self.today
        if cells.get("开始日期"):
            try:
                started = fieldspec.parse_date(cells["开始日期"])
            except definitions.DefinitionError as exc:
                errors.append(RowError(number, "开始日期", str(exc)))
        if errors or subject is None:
            return errors
        first = self.seen.setdefault(subject.pk, number)
        if first != number:
            return [RowError(number, self.key, f"与第{first}行是同一对象")]
        return NewRecord(
            number,
            Record(
                definition=self.definition,
                version=self.definition.version,
                subject=self.definition.subject,
                subject_id=subject.pk,
                grid_id=subject.grid_id,  # type: ignore[attr-defined]
                region_path=subject.region_path,  # type: ignore[attr-defined]
                values=values,
                risk_level=risk or "",
                started_on=started,
                next_visit_due=records.next_due(self.definition, risk or "", started),
            ),
        )

    def _subject(self, key: str) -> Model | None:
        if not key:
            return None
        subject = self.definition.subject
        if subject == Subject.PERSON:
            try:
                number = idnumber.parse(key).number
            except idnumber.InvalidIdNumber:
                return None
            found: Any = Person.objects.filter(
                id_number_hash=cipher().lookup_hash(number), status=PersonStatus.ACTIVE
            )
        elif subject == Subject.HOUSEHOLD:
            found = Household.objects.filter(number=key)
        elif subject == Subject.HOUSE:
            found = House.objects.filter(number=key)
        elif subject == Subject.ORGANISATION:
            found = Organisation.objects.filter(credit_code=key.upper())
        else:
            found = Place.objects.filter(name=key)
        scoped: Model | None = access.scope(self.user, found, write=True).first()
        return scoped

    def check_against_registry(self, built: list[NewRecord]) -> list[RowError]:
        ids = [item.record.subject_id for item in built]
        open_ones = set(
            Record.objects.filter(
                definition=self.definition, subject_id__in=ids, ended_on__isnull=True
            ).values_list("subject_id", flat=True)
        )
        return [
            RowError(item.row, self.key, f"已登记为「{self.definition.name}」")
            for item in built
            if item.record.subject_id in open_ones
        ]

    def commit(self, built: list[NewRecord]) -> list[int]:
        created = [item.record for item in built]
        bulk_insert(created)
        return [r.pk for r in created]


# ---- jobs: the import page and the CLI -------------------------------------------

IMPORT_JOB = "registry.import"


def job_start(*, user: User, kind: str, file: UploadedFile, valid_only: bool) -> ImportJob:
    """Keep the uploaded file and import it: in the background (the worker) when
    configured, else at once. The file stays for the error file and the journal."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{Path(file.name or '').suffix.lower()}"
    with open(stored, "wb") as handle:
        for chunk in file.chunks():
            handle.write(chunk)
    job = ImportJob.objects.create(
        kind=kind,
        file_name=(file.name or "")[:200],
        stored_file=str(stored),
        valid_only=valid_only,
        user=user,
    )
    if settings.IMPORT_IN_BACKGROUND:
        job_enqueue(kind=IMPORT_JOB, args={"import_id": job.pk})
    else:
        job_run(job)
    return job


def import_job_handler(job: Job, progress: Progress) -> str:
    """The worker's side of an uploaded import (pingan.jobs): the import's own row
    keeps the progress and the report the page shows."""
    upload = ImportJob.objects.select_related("user").get(pk=job.args["import_id"])
    done = job_run(upload, progress)
    return f"{done.get_status_display()}：{done.imported}/{done.total}"


def import_job_given_up(job: Job, message: str) -> None:
    ImportJob.objects.filter(pk=job.args["import_id"]).update(
        status=ImportJob.Status.FAILED,
        errors=[[0, "", f"导入中断（{message}），请重新上传"]],
        finished_at=timezone.now(),
    )


def job_run(job: ImportJob, worker_progress: Progress | None = None) -> ImportJob:
    """Carry out an uploaded import, keeping its progress and report on the job.
    `worker_progress`: the background job's, which raises Superseded once another
    process has been given the import."""

    def progress(checked: int, total: int) -> None:
        if worker_progress:
            worker_progress(checked, total)
        ImportJob.objects.filter(pk=job.pk).update(checked=checked, total=total)

    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    try:
        outcome = import_file(
            user=job.user,
            kind=job.kind,
            path=Path(job.stored_file),
            valid_only=job.valid_only,
            progress=progress,
        )
    except Superseded:
        raise  # the import is another process's now: its row is left to that one
    except (TransferError, definitions.DefinitionError, PermissionDenied) as exc:
        job.status, job.errors = ImportJob.Status.FAILED, [[0, "", str(exc)]]
        _save(job)
    except Exception as exc:  # the page must say it failed, not spin forever
        job.status, job.errors = ImportJob.Status.FAILED, [[0, "", f"导入出错：{exc}"]]
        _save(job)
        raise
    else:
        job.total, job.checked, job.imported = outcome.total, outcome.total, outcome.imported
        job.errors = [[e.row, e.column, e.message] for e in outcome.errors]
        refused = outcome.errors and not job.valid_only
        job.status = ImportJob.Status.REFUSED if refused else ImportJob.Status.DONE
        _save(job)
    return job


REASONS = "错误原因"


def error_rows(job: ImportJob) -> Iterator[list[str]]:
    """The file's bad rows as they were, each with a last column of every reason
    (列：原因；…), to correct in the spreadsheet and upload again."""
    reasons: dict[int, list[str]] = {}
    for row, column, message in job.errors:
        if row:  # row 0: the file as a whole, said on the page
            reasons.setdefault(row, []).append(f"{column}：{message}" if column else message)
    table = read_rows(Path(job.stored_file), max_rows=MAX_ROWS)
    yield [*table.header, REASONS]
    for row in sorted(reasons):
        index = row - 2  # the header is row 1
        if 0 <= index < len(table.rows):
            cells = table.cells(index)
            yield [*(cells[name] for name in table.header), "；".join(reasons[row])]


def _save(job: ImportJob) -> None:
    job.finished_at = timezone.now()
    job.save()
