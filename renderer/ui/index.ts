export { Button, type ButtonProps, type ButtonVariant } from './Button';
export { TextField, type TextFieldProps } from './TextField';
export { Select, type SelectProps, type SelectOption } from './Select';
export { Toggle, type ToggleProps } from './Toggle';
export { Banner, type BannerProps } from './Banner';
export { Dialog, type DialogProps } from './Dialog';
export { FormDialog, type FormDialogProps } from './FormDialog';
