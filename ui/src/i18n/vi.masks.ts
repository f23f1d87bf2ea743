/** Privacy masks (vùng che riêng tư, issue 17) in Vietnamese; see vi.ts. */
export const viMasks = {
  'masks.add': 'Vẽ vùng che riêng tư',
  'masks.privacy': 'Vùng che riêng tư',
  'masks.hide': 'Che với ai',
  'masks.hideResidents': 'Che với người dân',
  'masks.hideEveryone': 'Che với tất cả (cả bản ghi)',
  'masks.help':
    'Vùng che riêng tư: người dân chỉ thấy vùng này bị che đen; công an vẫn xem được ảnh gốc. Chọn "che với tất cả" để che luôn trong bản ghi (tốn thêm CPU).',
  'error.privacy_mask_failed': 'Chưa che được vùng riêng tư trên ảnh hoặc video này. Vui lòng thử lại.',
  'camEvents.title': 'Sự kiện từ camera (ONVIF)',
  'camEvents.noOnvif': 'Camera này chưa có địa chỉ ONVIF: không nhận được sự kiện của camera.',
  'camEvents.subscribe': 'Nhận sự kiện của camera (chuyển động, che camera, vượt hàng rào ảo…)',
  'camEvents.action': 'Khi camera báo sự kiện',
  'camEvents.wake': 'Bật nhận dạng đối tượng',
  'camEvents.event': 'Tạo sự kiện riêng (nhãn là loại sự kiện)',
  'camEvents.wakeSeconds': 'Nhận dạng trong (giây)',
  'camEvents.topics': 'Loại sự kiện được tính (mỗi dòng một loại)',
  'camEvents.topicsHelp': 'Một phần tên loại sự kiện, ví dụ CellMotionDetector, Tamper, LineDetector. Để trống: mọi loại.',
};
