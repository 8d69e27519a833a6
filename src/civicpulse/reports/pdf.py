"""Render a briefing as PDF with fpdf2 (pure Python) and the bundled DejaVu Sans, which covers Vietnamese."""

from __future__ import annotations

from importlib import resources

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from civicpulse.reports.briefing import CITY_ZONE, Briefing
from civicpulse.reports.render import bars

FONT = "DejaVu"
MARGIN = 15
BODY = 10


def _font_path(name: str) -> str:
    return str(resources.files("civicpulse") / "data" / "fonts" / name)


def to_pdf(briefing: Briefing) -> bytes:
    """Return the briefing as PDF bytes."""
    pdf = FPDF(format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.add_font(FONT, "", _font_path("DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", _font_path("DejaVuSans-Bold.ttf"))
    pdf.set_title(briefing.title)
    pdf.set_creator("civicpulse")
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, briefing.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 8)
    pdf.cell(0, 5, f"Tạo lúc / Generated {briefing.generated_at.astimezone(CITY_ZONE):%H:%M %d/%m/%Y}")
    pdf.ln(7)
    _heading(pdf, "Hoạt động trong ngày / Activity per hour")
    _chart(pdf, briefing)
    _heading(pdf, "Vấn đề nổi bật / Top stories")
    for story in briefing.stories:
        units = ", ".join(briefing.names.get(u.split("|")[0], u) for u in story.units[:3])
        _line(
            pdf, f"{story.items:>5}  {story.label or f'#{story.story_id}'}" + (f" — {units}" if units else "")
        )
    _none(pdf, briefing.stories)
    _heading(pdf, f"Vụ việc mới / New cases ({len(briefing.new_cases)})")
    for case in briefing.new_cases:
        units = ", ".join(briefing.names.get(u, u) for u in case.units)
        _line(pdf, f"#{case.id} {case.title} — {case.status} — {units}")
    _none(pdf, briefing.new_cases)
    _heading(pdf, f"Vụ việc quá hạn / Overdue cases ({len(briefing.overdue_cases)})")
    for case in briefing.overdue_cases:
        due = case.answer_due_at.astimezone(CITY_ZONE).strftime("%H:%M %d/%m") if case.answer_due_at else ""
        _line(pdf, f"#{case.id} {case.title} — hạn / due {due}")
    _none(pdf, briefing.overdue_cases)
    _heading(pdf, "Thông tin chính thức và tác động / Clarifications and impact")
    for clarification, impact in briefing.clarifications:
        _line(pdf, clarification.title_vi, bold=True)
        for h in impact.horizons if impact else ():
            expected = "—" if h.expected is None else f"{h.expected:g}"
            _line(pdf, f"  +{h.hours} h: {h.items} tin / items (dự kiến / expected {expected})")
    _none(pdf, briefing.clarifications)
    _heading(pdf, "Tình trạng nguồn / Source health")
    for source in briefing.sources:
        _line(pdf, f"{source.name}: " + (f"lỗi / failing — {source.error}" if source.failing else "ổn / ok"))
    _none(pdf, briefing.sources)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", BODY)


def _line(pdf: FPDF, text: str, bold: bool = False) -> None:
    pdf.set_font(FONT, "B" if bold else "", BODY)
    pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _none(pdf: FPDF, rows: tuple[object, ...]) -> None:
    if not rows:
        _line(pdf, "Không có / None.")


def _chart(pdf: FPDF, briefing: Briefing) -> None:
    """Draw the activity bars in a 180 × 40 mm box (the HTML layout, scaled)."""
    layout = bars(briefing)
    width, height, top = 180.0, 40.0, pdf.get_y()
    scale_x, scale_y = width / 720, height / 160
    pdf.set_fill_color(31, 111, 235)
    for bar in layout:
        if bar.height > 0:
            pdf.rect(
                MARGIN + bar.x * scale_x,
                top + bar.y * scale_y,
                bar.width * scale_x,
                bar.height * scale_y,
                "F",
            )
    pdf.set_font(FONT, "", 6)
    for bar in layout[::6]:
        pdf.text(MARGIN + bar.x * scale_x, top + height, bar.label)
    pdf.set_y(top + height + 3)
    pdf.set_font(FONT, "", BODY)
