"""The message catalogue: every label and message the command line and the plots show, in
Japanese and English (private).

One place for display text: :func:`label` for labels and table headers, :func:`say` for
messages with fields. Japanese first; ``lang="en"`` gives English.
"""

from __future__ import annotations

from ._lang import Lang, in_lang

__all__ = [
    "ERRORS",
    "FREE_TEXT",
    "MESSAGES",
    "PHRASES",
    "USAGE",
    "WEB",
    "WHAT",
    "Lang",
    "label",
    "say",
    "web_labels",
]

MESSAGES: dict[str, tuple[str, str]] = {
    "id": ("ID", "id"),
    "name": ("名称", "name"),
    "name_ja": ("名称", "Japanese"),
    "name_en": ("英語名", "English"),
    "count": ("件数", "count"),
    "kind": ("種別", "kind"),
    "phone": ("電話", "phone"),
    "area": ("地域", "area"),
    "ward": ("区", "ward"),
    "tier": ("圏域", "tier"),
    "address": ("住所", "address"),
    "url": ("URL", "URL"),
    "catchment": ("担当地区", "catchment"),
    "serves": ("対象地域", "serves"),
    "ages": ("対象年齢", "ages"),
    "operator": ("運営", "operator"),
    "sources": ("出典", "sources"),
    "checked": ("確認日", "checked"),
    "notes": ("備考", "notes"),
    "provenance": ("調査メモ（出典の扱い）", "research notes (provenance)"),
    "derived": ("補完した項目", "derived"),
    "links": ("つながり", "links"),
    "attested": ("出典で確認", "attested"),
    "districts": ("圏域数", "districts"),
    "confidence": ("確からしさ", "confidence"),
    "reason": ("理由", "reason"),
    "yes": ("はい", "yes"),
    "no": ("いいえ", "no"),
    "attested_note": ("名称と連絡先は出典で確認済み", "name and contact are attested by a source"),
    "structural_note": (
        "構造上の記録（必ず存在するが、名称または連絡先を出典で確認できない）",
        "structural record (certainly exists; no source in reach gives its name or contact)",
    ),
    "aggregate_note": (
        "集約ノード（個人や特定の団体ではない）",
        "aggregate node (stands for many; not one person or group)",
    ),
    "contact_via": ("連絡先", "contact via"),
    "confidential": ("所在地は非公開", "address is confidential"),
    "more": ("他の候補", "other matches"),
    "unparsed": ("町丁目に分解できなかった部分", "pieces not matched to a town"),
    "incomplete": ("（一部の記載のみ）", "(partly listed)"),
    "concern": ("懸念", "concern"),
    "near": (
        "弱い手がかり（誰のことか等を書き足すと判定できます）",
        "weak clues (say whose concern it is, for instance, to decide)",
    ),
    "evidence": ("根拠（ノートの語）", "evidence (words of the note)"),
    "evidence_learned": (
        "根拠（危険を伝えたメモに似た箇所）",
        "evidence (stretches like those of notes about danger)",
    ),
    "safety": ("安全上の注意（最優先）", "Safety first"),
    "weak_clue": ("弱い手がかり", "weak clue"),
    "primary": ("一次窓口", "primary windows"),
    # plans, cards and tables
    "origin": ("起点", "origin"),
    "given": ("指定", "given"),
    "path": ("経路", "path"),
    "no_link": ("（名簿上のつながりなし）", "(no link on record)"),
    "no_contact": ("連絡先の記録なし", "no contact on record"),
    "raise_at": ("提起する会議", "raise at"),
    "role_coordinator": ("調整役", "coordinator"),
    "role_primary": ("一次窓口", "primary window"),
    "role_supporting": ("支援", "supporting"),
    "role_escalation": ("会議", "escalation meeting"),
    "plan_contact": ("連絡", "contact"),
    "plan_note": ("注意", "note"),
    "plan_concerns": ("懸念", "concerns"),
    "plan_why": ("理由", "why"),
    "plan_also": ("他の候補", "also"),
    "postal_derived": ("（住所から補完）", " (looked up from the address)"),
    "list_sep": ("・", "; "),
    # plots (referral.plot)
    "plot_ward": ("区", "ward"),
    "plot_coverage_score": (
        "一次窓口の状況（懸念 × 区）— 緑: 届き出典で確認、黄: 構造上の記録のみ、赤: 欠落",
        "Primary windows (concern × ward) — green: reachable and attested, yellow: structural "
        "records only, red: missing",
    ),
    "plot_coverage_share": (
        "一次窓口がすべて届く圏域の割合（懸念 × 区）",
        "Share of areas where every primary window is reachable (concern × ward)",
    ),
    "plot_score": ("スコア", "score"),
    "plot_share": ("割合", "share"),
    "plot_structural": ("構造上の記録", "structural record"),
    "plot_spof": ("単一障害点", "single point of failure"),
    "plot_articulation": ("関節点（無向）", "articulation point (undirected)"),
    "plot_bridge": ("橋（無向）", "bridge (undirected)"),
    "plot_tier": ("圏域（層）", "tier"),
    "plot_tier_0": ("近隣", "neighbourhood"),
    "plot_tier_1": ("地区", "district"),
    "plot_tier_2": ("区", "ward"),
    "plot_tier_3": ("市", "city"),
    # help
    "help_positionals": ("引数", "positional arguments"),
    "help_options": ("オプション", "options"),
    "help_help": ("この説明を表示する", "show this help"),
    "help_version": ("バージョンを表示する", "show the version"),
    # gap and what-if reports
    "whole_city": ("横浜市全域", "the whole city"),
    "gaps_coverage": ("カバー状況", "Coverage"),
    "gaps_all_reach": ("  一次窓口がすべて届く", "  every primary window reachable"),
    "gaps_some": ("一部", "some"),
    "gaps_none": ("なし", "none"),
    "gaps_structural_only": (
        "  構造上の記録だけで届くもの",
        "  covered only through structural records",
    ),
    "gaps_holes": (
        "穴（懸念 — 欠けている一次窓口: 圏域数）",
        "Holes (concern — missing primary window: areas)",
    ),
    "hole_missing": ("記録なし", "none on record"),
    "hole_unreachable": ("つながりなし", "not linked"),
    "gaps_spof": (
        "単一障害点（ここを通じてしか届かない）",
        "Single points of failure (the only way through)",
    ),
    "gaps_load": (
        "負荷の集中（頼られている機関: 圏域数・懸念数）",
        "Load (most depended-on bodies: areas, concerns)",
    ),
    "health": ("データの健全性", "Data health"),
    "health_stale": ("1年以上未確認", "not checked within a year"),
    "health_old": ("3年より古い出典のみ", "resting on sources older than 3 years"),
    "health_structural": ("  構造上の記録の割合", "  share of structural records"),
    "removed": ("閉鎖・削除", "Removed"),
    "change_lost": ("失う", "lost"),
    "change_unreachable": ("つながらなくなる", "no longer linked"),
    "change_rerouted": ("別の機関へ", "rerouted"),
    "no_concern": (
        "referral: ノートから懸念を読み取れませんでした。言い換えるか、懸念を直接指定してください"
        "（一覧: referral concerns）",
        "referral: no concern recognised in the note; rephrase it, or name the concern "
        "(list: referral concerns)",
    ),
}


ERRORS: dict[str, tuple[str, str]] = {
    # lookups (fields: key, hint, n, listed, more)
    "unknown_agency": (
        "「{key}」に当たる機関がありません{hint}",
        "unknown agency id {key!r}{hint}",
    ),
    "ambiguous_agency": (
        "「{key}」に当たる機関が{n}件あります。名称かIDで一つに絞ってください: {listed}{more}",
        "{key!r} names {n} agencies; give one by its name or id: {listed}{more}",
    ),
    "unknown_area": (
        "「{key}」に当たる地域がありません（区・地域ケアプラザ・町名・住所・郵便番号で指定"
        "してください）{hint}",
        "no area matches {key!r} (try a ward, a care plaza, a town or a postal code){hint}",
    ),
    "unknown_vocabulary": (
        "「{key}」という{what}はありません{hint}",
        "unknown {what} {key!r}{hint}",
    ),
    "did_you_mean": ("。もしかして: {listed}", "; did you mean {listed}?"),
    "more": ("（ほか{n}件）", " (and {n} more)"),
    "list_with": ("（一覧: referral {command}）", " (list: referral {command})"),
    "no_concern": (
        "ノートから懸念を読み取れませんでした。言い換えるか、--concern で懸念を指定してください"
        "（一覧: referral concerns）{hint}",
        "no concern recognised in the note: rephrase it, or name the concern "
        "(referral concerns lists them){hint}",
    ),
    "weak_clues": ("。弱い手がかり: {listed}", "; weak clues: {listed}"),
    "note_too_long": (
        "メモが{size}文字あります。上限は{limit:,}文字です（分けるか、懸念を述べた部分だけを"
        "渡してください）",
        "note is {size} characters long; the limit is {limit:,} "
        "(split it, or pass only the part that describes the concern)",
    ),
    # the command line itself
    "usage_hint": ("(詳しくは: {prog} --help)", "(try: {prog} --help)"),
    "one_format": (
        "出力形式は一つだけ選んでください（{given}）",
        "choose one output format ({given})",
    ),
    "bom_needs_csv": (
        "--bom は --csv か --tsv と一緒に使います",
        "--bom goes with --csv or --tsv",
    ),
    "serve_needs_token": (
        "{host} で待ち受けるには合言葉が必要です: --token か環境変数 REFERRAL_TOKEN を"
        "指定してください（この端末だけで使うなら --host 127.0.0.1）",
        "listening on {host} needs a token: give --token or set REFERRAL_TOKEN (or keep to "
        "this machine with --host 127.0.0.1)",
    ),
    "serve_short_token": (
        '合言葉は{n}文字以上にしてください（例: python -c "import secrets; '
        'print(secrets.token_urlsafe())"）',
        'the token must be at least {n} characters (for instance: python -c "import '
        'secrets; print(secrets.token_urlsafe())")',
    ),
    "serve_port": (
        "ポートは1〜65535で指定してください（{port} は不可）",
        "the port must be from 1 to 65535, not {port}",
    ),
    "serve_needs_web": (
        "referral serve にはウェブ用の追加パッケージが必要です: pip install 'referral[web]'",
        "referral serve needs the web extra: pip install 'referral[web]'",
    ),
    "serve_open": (
        "referral: {url} をブラウザで開いてください（終了は Ctrl-C）",
        "referral: open {url} in a browser (Ctrl-C stops)",
    ),
    "records_needs_extra": (
        "referral records には記録用の追加パッケージが必要です: pip install 'referral[records]'",
        "referral records needs the records extra: pip install 'referral[records]'",
    ),
    "records_broken": (
        "記録の改ざん・欠落を検出: {referral} の {seq} 番目（{problem}）",
        "records broken: {referral} at event {seq} ({problem})",
    ),
    "brief_json": (
        "--brief は表示用です。--json・--csv などとは一緒に使えません",
        "--brief is for reading; it does not go with --json, --csv and the like",
    ),
}
"""Error messages with fields (:func:`say`). English lookups read as the library's own."""

PHRASES: dict[str, tuple[str, str]] = {
    "records_consent": ("同意を記録しました。範囲: {scope}", "consent recorded; scope: {scope}"),
    "records_recorded": (
        "つなぎを記録しました: {id}（{agency}）",
        "referral recorded: {id} ({agency})",
    ),
    "records_updated": ("{id} を {status} にしました", "{id} is now {status}"),
    "records_withdrawn": (
        "同意を撤回しました。閉じたつなぎ: {n} 件",
        "consent withdrawn; referrals closed: {n}",
    ),
    "records_verified": (
        "記録は完全です: {referrals} 件のつなぎ、{events} 件の出来事",
        "records intact: {referrals} referrals, {events} events",
    ),
    "records_purge": (
        "{cutoff} より前に閉じたつなぎ {referrals} 件（出来事 {events} 件）を匿名の結果 {facts} "
        "件に{done}",
        "{referrals} referrals closed before {cutoff} ({events} events) {done} {facts} "
        "anonymous outcome facts",
    ),
    "records_exported": ("{path} に {n} 行を書き出しました", "wrote {n} lines to {path}"),
    "records_exported_fhir": (
        "{path} に FHIR R4 の Task を {n} 件書き出しました",
        "wrote {n} FHIR R4 Tasks to {path}",
    ),
    "records_not_vacuumed": (
        "注意: {tables} を VACUUM (FULL) できません（所有者でない）。"
        "所有者が実行するまで、削除した行はテーブルのファイルに残ります",
        "note: {tables} could not be vacuumed (not their owner); the deleted rows stay "
        "in the table files until their owner runs VACUUM (FULL)",
    ),
    "records_backup": (
        "{path} に複製しました（つなぎ {n} 件）",
        "backed up to {path} ({n} referrals)",
    ),
    "records_imported": ("{n} 件のつなぎを取り込みました", "imported {n} referrals"),
    "outcome_answered": (
        "{concern}の紹介{n}件のうち{answered}件に{days}日以内に応答",
        "answered {answered} of {n} {concern} referrals within {days} days",
    ),
    "outcome_heading": (
        "つなぎの結果（{n}区分、{suppressed}区分は5件未満のため非表示）",
        "Referral outcomes ({n} cells; {suppressed} under 5 suppressed)",
    ),
    # a field named ja or en is the value shown in that language only
    "phone_label": ("{ja}", "{en}"),
    "shared_with": ("{ja}と共用", "shared with the {en}"),
    "phone_with": ("{number}（{what}）", "{number} ({what})"),
    "via": ("{phones}（{name}経由）", "{phones}（{name}, via)"),
    "how_weak": ("{how}・{clue}", "{how}, {clue}"),
    "same_number": ("（{rank}と同じ番号）", "(same number as {rank})"),
    "areas_by_concerns": ("{areas}圏域 × {concerns}の懸念", "{areas} areas × {concerns} concerns"),
    "more_areas": ("（ほか{n}圏域）", " (and {n} more)"),
    "plan_figure": (
        "計画 {plan:,} / 名簿 {directory:,}（{ja}）",
        "plan {plan:,} / directory {directory:,} ({en})",
    ),
    "plot_ward_title": (
        "{name}の支援ネットワーク — 赤: 単一障害点・橋、灰: 構造上の記録",
        "{name}: support network — red: single points of failure and bridges, "
        "grey: structural records",
    ),
    "what_if_summary": (
        "影響を受ける圏域: {areas}、新たに一次窓口が欠ける組み合わせ: {pairs}",
        "areas affected: {areas}; concern × area pairs newly not covered: {pairs}",
    ),
}
"""Phrases of plans, cards and reports with fields (:func:`say`)."""

_SAYINGS = ERRORS | PHRASES

USAGE: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.+)", "次の引数が必要です: {0}"),
    (r"unrecognized arguments: (.+)", "認識できない引数です: {0}"),
    (
        r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)",
        "引数 {0}: {1} は選べません（選択肢: {2}）",
    ),
    (r"argument (\S+): expected one argument", "引数 {0}: 値が一つ必要です"),
    (r"argument (\S+): invalid \S+ value: (.+)", "引数 {0}: 不正な値です: {1}"),
    (r"argument (\S+): not allowed with argument (\S+)", "引数 {0} は {1} と一緒に使えません"),
    (r"ambiguous option: (\S+) could match (.+)", "あいまいなオプションです: {0}（候補: {1}）"),
    (r"argument (\S+): (.+)", "引数 {0}: {1}"),
)
"""argparse's messages (``re.fullmatch`` pattern, Japanese template of its groups)."""

FREE_TEXT: tuple[tuple[str, str], ...] = (
    (
        r"age must be a whole number from 0 to 130, not (.+)",
        "年齢は0〜130の整数で指定してください（{0} は不可）",
    ),
    (
        r"the area is (\S+) characters long; .* \(at most (\d+) characters\)",
        "地域の指定が{0}文字あります。区・地域ケアプラザ・町名・住所・郵便番号で指定してください"
        "（{1}文字まで）",
    ),
    (
        r"the search text is (\S+) characters long; .* \(at most (\d+) characters\)",
        "検索語が{0}文字あります。名称で指定してください（{1}文字まで）",
    ),
    (
        r"the area is the whole city: .*",
        "地域が横浜市全域です。区・地域ケアプラザ圏域・町名・郵便番号で指定してください",
    ),
    (
        r"edit needs --data PATH: .*",
        "edit には --data PATH（変更するファイル）が必要です（同梱のデータは data/sources から "
        "scripts/build_data.py で作ります）",
    ),
    (r"expected FIELD=VALUE, got (.+)", "FIELD=VALUE の形で指定してください: {0}"),
    (r"invalid edit: (.+)", "不正な変更です: {0}"),
    (
        r"an agency with id (.+) exists \(use replace=True or update\)",
        "ID {0} の機関はすでにあります（add --replace で置き換えるか、set で変更してください）",
    ),
    (
        r"an agency's id cannot be changed .*",
        "機関のIDは変わりません（IDは固定です）。新しい機関として追加してください",
    ),
    (r"no (\S+) link (.+) -> (.+)", "{1} から {2} への {0} のつながりはありません"),
    (
        r"--max-mb must be a positive, finite number of MB, not (.+)",
        "--max-mb には正の有限の数（MB）を指定してください（{0} は不可）",
    ),
    (
        r"--check-schemas checks an HSDS export: add --format hsds",
        "--check-schemas は HSDS の書き出しを検査します: --format hsds を付けてください",
    ),
    (
        r"the note on standard input is not text in UTF-8, UTF-16 or Shift_JIS \((.+) bytes\); .*",
        "標準入力のメモが UTF-8・UTF-16・Shift_JIS のテキストではありません（{0}バイト）。"
        "UTF-8 で保存してください",
    ),
    (r"(.+): cannot save here \((.+)\)", "{0}: ここには保存できません（{1}）"),
    (r"(.+); nothing was written", "{0}（何も書き込んでいません）"),
)
"""Messages the library writes as one English sentence, matched in full (``re.fullmatch``)
and given in Japanese; a message not listed here is shown as it is."""

WHAT: dict[str, tuple[str, str]] = {
    "concern": ("懸念", "concerns"),
    "kind": ("種別", "kinds"),
    "tier": ("圏域", "tiers"),
    "link kind": ("つながりの種類", "link kinds"),
    "ward": ("区", "areas"),
}
"""A vocabulary's name in Japanese, and the command that lists it."""


def label(key: str, lang: Lang) -> str:
    """The message ``key`` in ``lang``.

    >>> label("phone", "ja"), label("phone", "en")
    ('電話', 'phone')
    """
    return in_lang(lang, *MESSAGES[key])


def say(name: str, lang: Lang, /, **fields: object) -> str:
    """The message ``name`` of :data:`ERRORS` or :data:`PHRASES` in ``lang``, with its fields
    filled in.

    >>> say("usage_hint", "ja", prog="referral route")
    '(詳しくは: referral route --help)'
    """
    return in_lang(lang, *_SAYINGS[name]).format(**fields)


WEB: dict[str, tuple[str, str]] = {
    "title": ("つなぎ先の案内", "Where to route a concern"),
    "skip": ("本文へ移動", "Skip to the content"),
    "lang_switch": ("English", "日本語"),
    "not_emergency": (
        "これは緊急通報の手段ではありません。命に関わるときは110（警察）・119（救急・消防）へ。"
        "子どもの虐待が疑われるときは189へ。",
        "This is not an emergency service. In danger of life call 110 (police) or 119 "
        "(ambulance, fire); for suspected child abuse call 189.",
    ),
    "note": ("相談メモ", "Concern note"),
    "note_help": (
        "メモは送信後に画面に表示するだけで、保存・記録はしません。",
        "The note is only shown back to you; it is never stored or logged.",
    ),
    "area": (
        "地域（区・地域ケアプラザ・町名・郵便番号）",
        "Area (ward, care plaza, town, postal code)",
    ),
    "age": ("本人の年齢（分かれば）", "The person's age (when known)"),
    "go": ("つなぎ先を調べる", "Find where to route"),
    "plan": ("つなぎ先", "Where to route"),
    "area_found": ("地域", "Area"),
    "origin": ("起点", "Starts from"),
    "concerns": ("懸念", "Concerns"),
    "reasons": ("理由", "Why"),
    "path": ("経路", "Path"),
    "phone": ("電話", "Phone"),
    "address": ("住所", "Address"),
    "hours": ("受付時間", "Hours"),
    "remarks": ("注意", "Note"),
    "alternatives": ("他の候補", "Also"),
    "coordinator": ("調整役", "Coordinator"),
    "meeting": ("提起する会議", "Raise at"),
    "caveats": ("注意事項", "Caveats"),
    "no_path": ("名簿上のつながりなし", "no link on record"),
    "view_short": ("簡潔に表示", "Short view"),
    "view_full": ("詳しく表示", "Full view"),
    "sheet": ("紹介シートを印刷", "Print a referral sheet"),
    "include_note": ("シートにメモを含める", "Include the note on the sheet"),
    "sheet_title": ("紹介シート", "Referral sheet"),
    "printed": ("印刷日", "Printed"),
    "data_date": ("データの確認日", "Data checked"),
    "note_on_sheet": ("相談メモ", "Note"),
    "new_search": ("別のメモを調べる", "Route another note"),
    "error": ("入力を確認してください", "Please check the form"),
    "empty_note": (
        "相談メモを入力するか、懸念を選んでください",
        "Type a note, or choose a concern",
    ),
    "empty_area": ("地域を入力してください", "Type an area"),
    "bad_age": (
        "年齢は0〜130の整数で入力してください",
        "The age must be a whole number from 0 to 130",
    ),
    "agencies": ("機関", "Bodies"),
    "links": ("つながり", "Links"),
    "network": ("この地域のネットワーク", "This area's network"),
    "bodies_here": ("この地域の機関", "Bodies of this area"),
    "districts": ("地域ケアプラザ圏域", "Care plaza areas"),
    "concern_list": ("懸念の一覧", "Concerns"),
    "primary_kinds": ("一次窓口", "Primary windows"),
    "gaps": ("支援の網の穴", "Gaps in the safety net"),
    "choose_ward": ("区を選んでください", "Choose a ward"),
    "coverage": ("カバー状況", "Coverage"),
    "covered": ("出典で確認した窓口に届く", "reached through attested records"),
    "structural": ("構造上の記録だけで届く", "reached through structural records only"),
    "partial": ("一部の窓口に届かない", "some windows missing or unreachable"),
    "uncovered": ("窓口に届かない", "no window reached"),
    "spof": ("単一障害点（ここを通じてしか届かない）", "Single points of failure"),
    "none": ("なし", "none"),
    "outcomes": ("紹介の結果（記録から）", "Referral outcomes (from the records)"),
    "outcomes_help": (
        "機関と懸念ごと: 紹介 → 受理 → 連絡 → 支援、最初の応答までの日数（中央値）、"
        "無応答の割合（95%区間）。5件未満は数を示しません。",
        "Per body and concern: referred → accepted → contacted → served, the median days to a "
        "first answer, the no-response rate (95% interval). Fewer than 5: no figures.",
    ),
    "funnel": ("紹介 → 受理 → 連絡 → 支援", "referred → accepted → contacted → served"),
    "median_days": ("応答までの日数（中央値）", "days to an answer (median)"),
    "no_response_rate": ("無応答の割合", "no response"),
    "suppressed": ("5件未満（表示しません）", "fewer than 5 (not shown)"),
    "api": ("API", "API"),
    "api_intro": (
        "JSON の API と Open Referral HSDA 3.0 の読み取り専用の API です。",
        "The JSON API and a read-only Open Referral HSDA 3.0 API.",
    ),
    "not_found": ("見つかりません", "Not found"),
    "weak": ("弱い手がかり", "weak clue"),
    "evidence": ("根拠（メモの語）", "evidence (words of the note)"),
    "kind": ("種別", "Kind"),
    "tier": ("圏域", "Tier"),
    "structural_record": (
        "構造上の記録（名称・連絡先は出典で未確認）",
        "structural record (no source gives its name or contact)",
    ),
    "contact_via": ("連絡先", "Contact via"),
    "confidential": ("所在地は非公開", "address is confidential"),
    "home": ("トップ", "Home"),
    "safety": ("安全上の注意（最優先）", "Safety first"),
    "no_concern": (
        "メモから懸念を読み取れませんでした。言い換えるか、「懸念」の一覧から選んでください",
        "No concern could be read in the note: rephrase it, or choose from the concerns",
    ),
    "records": ("つなぎの記録", "Referral records"),
    "record_this": ("このつなぎを記録", "Record this referral"),
    "household": ("世帯のトークン（空欄なら新しく作成）", "household token (blank: a new one)"),
    "basis": ("根拠", "basis"),
    "basis_consent": ("本人の同意", "the person's consent"),
    "basis_meeting_106_6": ("支援会議（社会福祉法106条の6）", "support meeting (Art. 106-6)"),
    "consent_scope": ("同意の範囲トークン（空欄なら新しく記録）", "consent scope (blank: new)"),
    "record_never_note": (
        "記録されるのは機関・懸念・計画のハッシュ・トークンだけで、メモは保存しません",
        "only the body, concerns, a hash of the plan and tokens are kept; never the note",
    ),
    "recorded": ("記録しました", "Recorded"),
    "new_scope": ("同意の範囲（紙の同意書に書き写す）", "consent scope (copy it to the form)"),
    "open_referrals": ("閉じていないつなぎ", "Open referrals"),
    "no_open": ("閉じていないつなぎはありません", "No open referrals"),
    "age_days": ("経過日数", "age (days)"),
    "status": ("状態", "status"),
    "decline_reason": ("断られた理由", "decline reason"),
    "update_status": ("記録", "Update"),
    "updated": ("状態を記録しました", "Status recorded"),
    "referral_id": ("つなぎ ID", "referral id"),
    "agency": ("つなぎ先", "body"),
}
"""The web pages' labels (:func:`web_labels`)."""


def web_labels(lang: Lang) -> dict[str, str]:
    """Every label of the web pages in ``lang``.

    >>> web_labels("en")["go"]
    'Find where to route'
    """
    return {key: in_lang(lang, *pair) for key, pair in WEB.items()}
