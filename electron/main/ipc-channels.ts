import { ipcRequestChannel } from '../shared/contract';

/** The renderer sends this once it has subscribed; events before it are held, not lost. */
export const IPC_READY_CHANNEL = `${ipcRequestChannel('app.info')}:ready`;
