from datetime import UTC, datetime, timedelta

from civicpulse.understand.dedup import Deduplicator, DedupOptions

ARTICLE = (
    "Mưa lớn kéo dài từ chiều qua khiến nhiều tuyến đường ở Thủ Đức ngập sâu, người dân phải dắt xe "
    "lội nước về nhà; lực lượng chức năng đã điều xe bồn hút nước và phân luồng giao thông tại các điểm "
    "ngập nặng nhất như Kha Vạn Cân và Phạm Văn Đồng."
)
EDITED = ARTICLE.replace("chiều qua", "tối qua").replace("nặng nhất", "nặng") + " (Theo Tuổi Trẻ)"
OTHER = (
    "Giá xăng trong nước tăng lần thứ ba liên tiếp từ 15 giờ chiều nay, mỗi lít xăng RON 95 đắt thêm "
    "gần 500 đồng so với kỳ điều hành trước, theo thông báo của liên bộ Công Thương và Tài chính."
)
T0 = datetime(2025, 9, 1, tzinfo=UTC)


def test_exact_copies_link_to_the_first_even_without_diacritics() -> None:
    dedup = Deduplicator()
    assert dedup.check(1, "Kẹt xe ở Hàng Xanh", T0) is None
    assert dedup.check(2, "KET XE O HANG XANH!", T0) == 1


def test_lightly_edited_copies_link_to_the_original() -> None:
    dedup = Deduplicator()
    assert dedup.check(1, ARTICLE, T0) is None
    assert dedup.check(2, OTHER, T0) is None
    assert dedup.check(3, EDITED, T0) == 1


def test_a_copy_of_a_copy_links_to_the_original() -> None:
    dedup = Deduplicator()
    dedup.check(1, ARTICLE, T0)
    dedup.check(2, EDITED, T0)
    assert dedup.check(3, EDITED + " Xem thêm.", T0) == 1


def test_short_texts_are_only_matched_exactly() -> None:
    dedup = Deduplicator()
    dedup.check(1, "ngập quá trời luôn", T0)
    assert dedup.check(2, "ngập quá trời", T0) is None


def test_old_signatures_are_forgotten() -> None:
    dedup = Deduplicator(DedupOptions(window=timedelta(days=1)))
    dedup.check(1, ARTICLE, T0)
    dedup.check(2, OTHER, T0 + timedelta(days=2))
    assert len(dedup) == 1
    assert dedup.check(3, EDITED, T0 + timedelta(days=2)) is None


def test_memory_is_bounded_by_count() -> None:
    dedup = Deduplicator(DedupOptions(max_items=10))
    for i in range(50):
        dedup.check(i, f"tin số {i} về giao thông và ngập nước ở quận {i}", T0)
    assert len(dedup) == 10


def test_replaying_in_order_rebuilds_the_same_links() -> None:
    texts = [ARTICLE, OTHER, EDITED, OTHER + " Cập nhật.", "Kẹt xe", "ket xe"]
    first = Deduplicator()
    links = [first.check(i, t, T0) for i, t in enumerate(texts, 1)]
    again = Deduplicator()
    assert [again.check(i, t, T0) for i, t in enumerate(texts, 1)] == links
    assert links == [None, None, 1, 2, None, 5]


def test_checking_the_same_item_twice_is_idempotent() -> None:
    dedup = Deduplicator()
    dedup.check(1, ARTICLE, T0)
    assert dedup.check(2, EDITED, T0) == 1
    assert dedup.check(2, EDITED, T0) == 1
    assert dedup.check(1, ARTICLE, T0) is None


def test_a_flood_of_copies_links_to_the_original_without_comparing_copies() -> None:
    dedup = Deduplicator()
    text = "Người dân phường Linh Xuân phản ánh ngập sâu sau mưa lớn chiều nay, xe chết máy hàng loạt số {}"
    roots = [dedup.check(i, text.format(i)) for i in range(1, 400)]
    assert roots[0] is None
    assert set(roots[1:]) == {1}
    assert sum(len(bucket) for bucket in dedup._buckets.values()) == dedup.options.bands
