import { createContext, useContext, type ReactNode } from 'react';
import type { PhoneController } from './phone-controller';

const ControllerContext = createContext<PhoneController | null>(null);

export function PhoneControllerProvider({
  controller,
  children,
}: {
  controller: PhoneController;
  children: ReactNode;
}) {
  return <ControllerContext.Provider value={controller}>{children}</ControllerContext.Provider>;
}

export function usePhoneController(): PhoneController {
  const controller = useContext(ControllerContext);
  if (!controller) throw new Error('usePhoneController outside PhoneControllerProvider');
  return controller;
}
