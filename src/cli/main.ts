console.log('mqtt-mcp: not built yet');
