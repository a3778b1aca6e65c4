// A PEM block's problem, the findings about a chain file's order, and why Serve TLS Here refused a client's offer
// (engine/pem/blocks.ts, engine/tools/chain-file.ts, engine/tools/client-offer.ts).
import type { SentenceTable } from '../sentences';

export const EDITOR_ZH_CN: SentenceTable = [
  ["block {0} ({1})", "第 {0} 块（{1}）"],
  ["{0}: BEGIN {1} is closed by END {2} on line {3}", "{0}：BEGIN {1} 在第 {3} 行被 END {2} 结束"],
  ["{0}: no END {1} line before the next BEGIN on line {2}", "{0}：在第 {2} 行的下一个 BEGIN 之前没有 END {1} 行"],
  ["{0}: line {1}, column {2}: '{3}' is not a base64 character", "{0}：第 {1} 行第 {2} 列：'{3}' 不是 base64 字符"],
  ["{0}: no END {1} line; the file ends on line {2} (truncated?)", "{0}：没有 END {1} 行；文件在第 {2} 行结束（被截断了？）"],
  ["{0}: the block has no base64 body", "{0}：该块没有 base64 正文"],
  ["{0}: the base64 body is {1} characters, not a whole number of 4-character groups: truncated or damaged near line {2}", "{0}：base64 正文有 {1} 个字符，不是 4 字符组的整数倍：在第 {2} 行附近被截断或损坏"],
  ["{0} repeats block {1}: servers should send each certificate once.", "{0} 与第 {1} 块重复：服务器应当只发送每张证书一次。"],
  ["The chain is in reverse order: each certificate here is issued by the one before it. TLS sends the leaf first and each issuer after the certificate it signed (RFC 8446 section 4.4.2): reverse the blocks, {0} first.", "证书链的顺序反了：这里每张证书都由它前面的那张签发。TLS 先发送叶证书，每个签发者紧跟在它所签发的证书之后（RFC 8446 第 4.4.2 节）：请把各块倒过来，{0} 放在最前。"],
  ["{0} follows {1}, which is self-signed and so ends the chain: nothing after a root is part of it. Move it before the root, or remove it.", "{0} 跟在 {1} 之后，而后者是自签名的，证书链到它就结束了：根证书之后的内容都不属于这条链。请把它移到根证书之前，或删除它。"],
  ["{0} did not issue {1}; {2} did. Each certificate must come right before its issuer (RFC 8446 section 4.4.2; strict clients reject other orders): move block {3} to just after block {4}.", "{1} 不是由 {0} 签发的，而是由 {2} 签发的。每张证书必须紧挨在其签发者之前（RFC 8446 第 4.4.2 节；严格的客户端会拒绝其他顺序）：请把第 {3} 块移到第 {4} 块之后。"],
  ["{0} did not issue {1}, and no certificate in this file did: its issuer \"{2}\" is missing. Add that intermediate right after block {3}.", "{1} 不是由 {0} 签发的，本文件中也没有任何证书签发了它：缺少其签发者“{2}”。请把该中间证书加在第 {3} 块之后。"],
  ["client certificate refused: {0}", "客户端证书被拒绝：{0}"],
  ["no client certificate: this server requires one (-Verify) and the client sent none", "没有客户端证书：此服务器要求客户端证书（-Verify），而客户端没有发送"],
  ["no shared protocol version: the client offered {0}; this server accepts {1}", "没有共同的协议版本：客户端提供的是 {0}；此服务器接受 {1}"],
  ["no shared cipher suite: the client offered {0} for TLSv1.3; this server accepts {1}", "没有共同的密码套件：客户端为 TLSv1.3 提供的是 {0}；此服务器接受 {1}"],
  ["no shared group: the client offered {0}; this server accepts {1}", "没有共同的组：客户端提供的是 {0}；此服务器接受 {1}"],
  ["no shared cipher suite: the client offered {0} for {1}; this server accepts {2}", "没有共同的密码套件：客户端为 {1} 提供的是 {0}；此服务器接受 {2}"],
  ["no shared group: the client offered {0} for its ECDHE suites; this server accepts {1}", "没有共同的组：客户端为其 ECDHE 套件提供的是 {0}；此服务器接受 {1}"],
  ["no shared ALPN protocol: the client offered {0}; this server accepts {1}", "没有共同的 ALPN 协议：客户端提供的是 {0}；此服务器接受 {1}"],
  ["the handshake failed for a reason the offer does not show", "握手失败的原因无法从客户端的提议中看出"],
];
