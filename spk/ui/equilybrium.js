// Equilybrium's window inside DSM (ui/config, type "app"). DSM 7.2 no longer shows a
// third-party page in a "legacy" iframe window, but an app window of its own may hold one:
// this window shows index.html, which talks to api.cgi with the session's SynoToken that it
// reads from this DSM page (same origin).
Ext.namespace('SYNO.SDS.Equilybrium');

Ext.define('SYNO.SDS.Equilybrium.Application', {
	extend: 'SYNO.SDS.AppInstance',
	appWindowName: 'SYNO.SDS.Equilybrium.MainWindow',
	constructor: function () {
		SYNO.SDS.Equilybrium.Application.superclass.constructor.apply(this, arguments);
	},
});

Ext.define('SYNO.SDS.Equilybrium.MainWindow', {
	extend: 'SYNO.SDS.AppWindow',
	constructor: function (config) {
		// Opened on a small screen, the window fits in it (DSM keeps a window's last size).
		var width = Math.max(640, Math.min(1040, window.innerWidth - 40));
		var height = Math.max(420, Math.min(700, window.innerHeight - 80));
		var src = 'webman/3rdparty/equilybrium/index.html?_ts=' + new Date().getTime();
		SYNO.SDS.Equilybrium.MainWindow.superclass.constructor.call(this, Ext.apply({
			title: 'Equilybrium',
			cls: 'syno-app-win equilybrium-win',
			layout: 'fit',
			width: width,
			height: height,
			minWidth: 640,
			minHeight: 420,
			resizable: true,
			maximizable: true,
			minimizable: true,
			html: '<iframe src="' + src + '" title="Equilybrium" style="width: 100%; height: 100%; border: 0; display: block;"></iframe>',
		}, config));
	},
});
