/** Cameras in the field (probe warnings, camera events, PTZ, privacy masks) in Vietnamese; see vi.ts. */
export const viField = {
  'probe.warnTitle': 'Camera vẫn dùng được, nhưng có {n} lưu ý:',
  'probe.warn.refused': '{call}: camera từ chối lệnh này ({detail}).',
  'probe.warn.bad_reply': '{call}: camera trả lời sai định dạng, đã bỏ qua ({detail}).',
  'probe.warn.no_answer': '{call}: camera không trả lời kịp, đã bỏ qua.',
  'probe.warn.not_allowed': '{call}: tài khoản này không có quyền dùng chức năng này trên camera.',
  'probe.warn.no_clock': 'Camera không cho biết giờ; không đo được độ lệch đồng hồ.',
  'probe.warn.profile_unusable': 'Có luồng video không dùng được ({detail}).',
  'probe.warn.no_stream_uri': '{call}: {detail} — luồng này bị bỏ qua.',
  'probe.warn.snapshot_address_refused': 'Địa chỉ ảnh chụp camera đưa ra không được phép dùng; đã bỏ qua.',
  'probe.warn.h265_profile': 'Luồng {detail} dùng H.265: trình duyệt không phát trực tiếp được; nên chọn luồng H.264 để xem.',
  'discover.registeredChannel': 'Đã đăng ký: kênh {channel}',
  'discover.chooseChannel': 'Thêm kênh khác',
  'discover.sameHost': 'Có camera đăng ký bằng địa chỉ luồng trên cùng IP này',
  'probe.warn.other': '{call}: {detail}',
};
