import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Delivery, Message } from '@equilybrium/core';
import { deliveryWithin } from './_within.ts';

// Webhook = URL (SPEC §11): one POST, the message as UTF-8 text, the verdict in a `Title`
// header — the form ntfy takes as it is (and Gotify-style bridges, Home Assistant, n8n…).

export async function sendWebhook(url: string, message: Message, timeoutMs: number, userAgent: string): Promise<Delivery> {
	const body = Buffer.from(message.body, 'utf8');
	const target = new URL(url);
	const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
	// the whole exchange, answer included, within the time: a server that hangs cannot hold the run
	return deliveryWithin('webhook', timeoutMs, `no answer within ${timeoutMs / 1000} s`, (settle) => {
		const req = request(
			target,
			{
				method: 'POST',
				// one request and done: no pooled socket left to keep the process alive
				agent: false,
				headers: {
					'Content-Type': 'text/plain; charset=utf-8',
					'Content-Length': body.length,
					Title: headerText(message.title),
					'User-Agent': userAgent,
				},
			},
			(res) => {
				const chunks: Buffer[] = [];
				let size = 0;
				res.on('data', (chunk: Buffer) => {
					if (size < 2048) chunks.push(chunk);
					size += chunk.length;
				});
				res.on('end', () => {
					const status = res.statusCode ?? 0;
					const said = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
					if (status >= 200 && status < 300) settle(true, `HTTP ${status}`);
					else settle(false, `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${said ? `: ${said}` : ''}`);
				});
				res.on('error', (error) => settle(false, describe(error)));
			},
		);
		req.on('error', (error) => settle(false, describe(error)));
		req.end(body);
		return () => req.destroy();
	});
}

/**
 * HTTP header values are Latin-1 at best: dashes become ASCII, and a title still holding
 * "é" goes as an RFC 2047 encoded word, which ntfy (2.4+) decodes. ASCII goes as it is.
 */
export function headerText(text: string): string {
	const flat = text.replace(/[\r\n]+/g, ' ').replace(/[—–]/g, '-').replace(/…/g, '...');
	if (/^[\x20-\x7e]*$/.test(flat)) return flat;
	return `=?UTF-8?B?${Buffer.from(flat, 'utf8').toString('base64')}?=`;
}

export function describe(error: unknown): string {
	const e = error as NodeJS.ErrnoException;
	const known: Record<string, string> = {
		ECONNREFUSED: 'connection refused',
		ENOTFOUND: 'no such host',
		EAI_AGAIN: 'the host name could not be looked up',
		ECONNRESET: 'the connection was reset',
		ETIMEDOUT: 'the connection timed out',
		EHOSTUNREACH: 'the host cannot be reached',
		ENETUNREACH: 'the network cannot be reached',
	};
	const what = (e?.code && known[e.code]) ?? e?.message ?? String(error);
	return e?.code && known[e.code] ? `${what} (${e.code})` : what;
}
