/** The wall's alert bursts, the recording fallback, layouts saved per account, the health history (issue 15) in Vietnamese; see vi.ts. */
export const viVideo2 = {
  'burst.count': '{n} cảnh báo',
  'burst.show': 'Xem {n} cảnh báo cùng đợt',
  'burst.hide': 'Thu gọn đợt cảnh báo',
  'burst.showFor': 'Xem {n} cảnh báo cùng đợt ở {where}',
  'burst.span': 'trong {seconds} giây',

  'player.fallback': 'Đang phát bản ghi lúc xảy ra sự kiện trong khi chờ đoạn video.',

  'datetime.badDate': '"{text}" không phải ngày hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 07/12/2026.',
  'datetime.badTime': '"{text}" không phải giờ hợp lệ: nhập giờ:phút theo 24 giờ, ví dụ 21:30.',
  'datetime.badTimeSeconds': '"{text}" không phải giờ hợp lệ: nhập giờ:phút hoặc giờ:phút:giây theo 24 giờ, ví dụ 21:30:05.',

  'zones.finishFirst': 'Hình đang vẽ chưa xong: bấm "Hoàn tất" để thêm hoặc "Hủy" để bỏ, rồi lưu.',
  'zones.cancelOrFinish': 'Hình đang vẽ mới có dưới 3 điểm: vẽ thêm điểm rồi bấm "Hoàn tất", hoặc bấm "Hủy", rồi lưu.',
};
