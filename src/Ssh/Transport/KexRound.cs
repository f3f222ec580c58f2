using Gateway.Ssh.Crypto;
using Gateway.Ssh.Kex;

namespace Gateway.Ssh.Transport;

internal enum KexPhase
{
    AwaitingPeerKexInit,
    AwaitingEcdhInit,
    AwaitingEcdhReply,
    AwaitingNewKeys,
}

/// <summary>State of one key exchange, from the first KEXINIT (ours or the peer's) to the peer's NEWKEYS.</summary>
internal sealed class KexRound
{
    public KexRound(long id) => Id = id;

    public long Id { get; }
    public KexPhase Phase { get; set; } = KexPhase.AwaitingPeerKexInit;
    public byte[]? OurKexInit { get; set; }
    public KexInitMessage? OurMessage { get; set; }
    public byte[]? PeerKexInit { get; set; }
    public KexInitMessage? PeerMessage { get; set; }
    public NegotiatedAlgorithms? Algorithms { get; set; }
    public KeyExchange? Exchange { get; set; }
    public byte[]? ClientValue { get; set; }
    public IPacketCipher? PendingInbound { get; set; }
    public long PendingInboundRekeyBytes { get; set; }
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
