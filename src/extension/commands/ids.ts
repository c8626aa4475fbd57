// Every command the extension contributes, with its palette title (without the "MQTT MCP" category). Pure,
// so a unit test holds it against package.json: an id typed here is an id VS Code knows.
export const COMMAND_TITLES = {
  'mqttMcp.addBroker': 'Add Broker',
  'mqttMcp.editBroker': 'Edit Broker',
  'mqttMcp.removeBroker': 'Remove Broker',
  'mqttMcp.connectBroker': 'Connect Broker',
  'mqttMcp.disconnectBroker': 'Disconnect Broker',
  'mqttMcp.refresh': 'Refresh',
  'mqttMcp.startDemo': 'Start Local Broker with Demo Devices',
  'mqttMcp.stopDemo': 'Stop Local Broker',
  'mqttMcp.invokeTool': 'Invoke Tool',
  'mqttMcp.openToolInvoker': 'Open Tool Invoker',
  'mqttMcp.readResource': 'Read Resource',
  'mqttMcp.getPrompt': 'Get Prompt',
  'mqttMcp.pingServer': 'Ping Server',
  'mqttMcp.copyServerName': 'Copy Server Name',
  'mqttMcp.copyServerTopic': 'Copy Server Topic',
  'mqttMcp.showStatus': 'Show Status',
  'mqttMcp.showLog': 'Show Log',
  'mqttMcp.showTimeline': 'Show Event Timeline',
  'mqttMcp.exportTimeline': 'Export Event Timeline',
  'mqttMcp.importTimeline': 'Import Event Timeline',
  'mqttMcp.clearTimeline': 'Clear Event Timeline',
  'mqttMcp.runSimulator': 'Run Device Simulator',
  'mqttMcp.stopSimulator': 'Stop Device Simulator',
  'mqttMcp.runProxy': 'Run Device Proxy',
  'mqttMcp.checkConformance': 'Check Conformance',
  'mqttMcp.checkListening': 'Check a Device Connecting Here',
  'mqttMcp.exposeToAgent': 'Expose to Agent',
  'mqttMcp.hideFromAgent': 'Hide from Agent',
  'mqttMcp.scaffoldDevice': 'Scaffold Device Server from Model',
  'mqttMcp.resetDeviceRequestPermissions': 'Reset Device Request Permissions',
} as const;

export type CommandId = keyof typeof COMMAND_TITLES;

export const COMMAND_IDS = Object.keys(COMMAND_TITLES) as CommandId[];
