/** The multi-camera recording timeline and synced playback (issue 15) in Vietnamese; see vi.ts. */
export const viVideo3 = {
  'rec3.compare': 'Xem cùng camera khác',
  'rec3.wallLink': 'Xem lại các camera này',
  'rec3.title': 'Bản ghi nhiều camera',
  'rec3.choose': 'Chọn camera (tối đa {n})',
  'rec3.none': 'Chọn ít nhất một camera để xem dòng thời gian.',
  'rec3.lane': 'Dòng thời gian bản ghi · {name}',
  'rec3.leader': 'camera chính',
  'rec3.sync': 'Phát đồng bộ từ {time}: bấm vào dòng của camera khác để đổi camera chính.',
  'rec3.subStream': 'Luồng phụ: luồng chính là H.265, trình duyệt không phát được',
  'rec3.openOne': 'Mở riêng',
  'error.no_recording': 'Không có bản ghi ở thời điểm này (khoảng trống, đã quá thời hạn lưu, hoặc đang được ghi).',
  'error.thumbnail_superseded': 'Đã có yêu cầu ảnh xem trước mới hơn; ảnh này bị bỏ qua.',
  'error.thumbnail_cancelled': 'Yêu cầu ảnh xem trước đã bị hủy.',
  'error.thumbnail_failed': 'Không đọc được hình từ bản ghi ở thời điểm này.',
};
