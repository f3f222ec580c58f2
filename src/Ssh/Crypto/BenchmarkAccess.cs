using System.Runtime.CompilerServices;

// The crypto benchmark times the building blocks (Poly1305, ChaCha20 block, CTR key stream) on their own.
[assembly: InternalsVisibleTo("CryptoBench")]
