/** Guard tours of PTZ cameras in Vietnamese; see vi.ts. */
export const viField2 = {
  'tour.title': 'Tuần tra tự động',
  'tour.off': 'Đang tắt.',
  'tour.running': 'Đang tuần tra: điểm {n} trên {total}.',
  'tour.paused': 'Tạm dừng vì đang điều khiển tay; tự chạy lại lúc {time}.',
  'tour.start': 'Bắt đầu tuần tra',
  'tour.stop': 'Dừng tuần tra',
  'tour.none': 'Chưa có lộ trình tuần tra: chọn vị trí đặt sẵn và số giây dừng ở mỗi vị trí rồi lưu.',
  'tour.stops': 'Lộ trình tuần tra',
  'tour.include': 'Đưa {name} vào lộ trình',
  'tour.dwell': 'Số giây dừng ở {name}',
  'tour.idle': 'Số giây không điều khiển tay trước khi tự chạy lại',
  'tour.saveStops': 'Lưu lộ trình',
  'tour.saved': 'Đã lưu lộ trình tuần tra.',
};
