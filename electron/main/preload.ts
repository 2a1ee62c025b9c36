/** The preload: exposes `window.hone` (the contract's Bridge) and `window.honeReady`, never ipcRenderer. */
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadBridge } from './preload-bridge';

const { bridge, ready } = createPreloadBridge(ipcRenderer);
contextBridge.exposeInMainWorld('hone', bridge);
contextBridge.exposeInMainWorld('honeReady', ready);
