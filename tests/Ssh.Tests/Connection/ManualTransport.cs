using System.Net;
using Gateway.Ssh.Transport;

namespace Gateway.Ssh.Tests.Connection;

/// <summary>A transport whose peer is the test itself: it records what is sent and never blocks.</summary>
internal sealed class ManualTransport : ISshTransport
{
    private readonly CancellationTokenSource _closed = new();
    private readonly List<byte[]> _sent = new();

    public bool IsServer => true;
    public ReadOnlyMemory<byte> SessionId => new byte[] { 9 };
    public string RemoteVersion => "SSH-2.0-Manual";
    public EndPoint? RemoteEndPoint => null;
    public CancellationToken Closed => _closed.Token;

    public IReadOnlyList<byte[]> Sent { get { lock (_sent) return _sent.ToArray(); } }

    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        Record(payload.ToArray());
        return ValueTask.CompletedTask;
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> head, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        Record([.. head.Span, .. body.Span]);
        return ValueTask.CompletedTask;
    }

    public void Post(ReadOnlySpan<byte> payload) => Record(payload.ToArray());

    public Task DisconnectAsync(DisconnectReason reason, string description)
    {
        _closed.Cancel();
        return Task.CompletedTask;
    }

    private void Record(byte[] message)
    {
        lock (_sent) _sent.Add(message);
    }
}
