using System.Net;

namespace Gateway.Ssh.Transport;

/// <summary>
/// What the authentication and connection layers see of the transport (RFC 4253): an encrypted,
/// ordered message pipe with a session identifier. Key exchange and rekeying are invisible here:
/// messages sent while a key exchange runs are held and sent after NEWKEYS.
/// </summary>
public interface ISshTransport
{
    bool IsServer { get; }

    /// <summary>H from the first key exchange (RFC 4253 §7.2); signed in publickey auth.</summary>
    ReadOnlyMemory<byte> SessionId { get; }

    /// <summary>The peer's identification line without CR LF, e.g. <c>SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6</c>.</summary>
    string RemoteVersion { get; }

    EndPoint? RemoteEndPoint { get; }

    /// <summary>Cancelled when the connection has ended, for any reason.</summary>
    CancellationToken Closed { get; }

    /// <summary>
    /// Sends one message (payload starting with the message number). Waits while the outbound
    /// queue is full, which is how a peer that stops reading slows its senders down. The payload
    /// may be reused once the returned task completes. Must not be awaited on the receive loop.
    /// </summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends one message made of two parts (a header and a body, e.g. CHANNEL_DATA's header and
    /// its data), so data needs no concatenation before encryption.
    /// </summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default);

    /// <summary>
    /// Queues a small control message (replies, window adjusts, close) without waiting; safe on
    /// the receive loop. The payload is copied. A peer that makes us queue too much without
    /// reading is disconnected rather than buffered without bound.
    /// </summary>
    void Post(ReadOnlySpan<byte> payload);

    /// <summary>Sends DISCONNECT (best effort, bounded in time) and closes the connection.</summary>
    Task DisconnectAsync(DisconnectReason reason, string description);
}

/// <summary>
/// Receives the messages of one layer (authentication: 50–79, connection: 80–127, extensions
/// above) on the transport's receive loop. The payload is only valid until the returned task
/// completes; handlers copy what they keep. A handler may await local work but never a reply
/// from the peer, or the receive loop would stop.
/// </summary>
public interface ISshMessageHandler
{
    ValueTask HandleMessageAsync(ReadOnlyMemory<byte> payload);
}
