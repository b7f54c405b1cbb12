//! The request-response codec: one length-prefixed frame of canonical bincode each way, with
//! explicit limits on both sides, so a peer can never make us allocate more than the limit.

use std::io;
use std::marker::PhantomData;

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::StreamProtocol;
use libp2p::request_response;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config;

/// Bincode frames with a 4-byte big-endian length prefix.
#[derive(Debug)]
pub struct FrameCodec<Request, Response> {
    max_request_bytes: usize,
    max_response_bytes: usize,
    _messages: PhantomData<fn() -> (Request, Response)>,
}

impl<Request, Response> FrameCodec<Request, Response> {
    pub fn new(max_request_bytes: usize, max_response_bytes: usize) -> Self {
        FrameCodec {
            max_request_bytes,
            max_response_bytes,
            _messages: PhantomData,
        }
    }
}

impl<Request, Response> Clone for FrameCodec<Request, Response> {
    fn clone(&self) -> Self {
        FrameCodec::new(self.max_request_bytes, self.max_response_bytes)
    }
}

async fn read_frame<T: AsyncRead + Unpin + Send>(
    io: &mut T,
    max_bytes: usize,
) -> io::Result<Vec<u8>> {
    let mut prefix = [0u8; 4];
    io.read_exact(&mut prefix).await?;
    let len = u32::from_be_bytes(prefix) as usize;
    if len > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame of {len} bytes is over the limit of {max_bytes}"),
        ));
    }
    let mut frame = vec![0u8; len];
    io.read_exact(&mut frame).await?;
    Ok(frame)
}

async fn write_frame<T: AsyncWrite + Unpin + Send>(
    io: &mut T,
    frame: &[u8],
    max_bytes: usize,
) -> io::Result<()> {
    if frame.len() > max_bytes {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "frame of {} bytes is over the limit of {max_bytes}",
                frame.len()
            ),
        ));
    }
    let len = u32::try_from(frame.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(frame).await
}

// Every protocol's frames fit the decode limit, so it refuses no frame its protocol allows.
const _: () = assert!(
    config::MAX_FRAME_BYTES >= config::MAX_HELLO_BYTES
        && config::MAX_FRAME_BYTES >= config::MAX_SYNC_REQUEST_BYTES
        && config::MAX_FRAME_BYTES >= config::MAX_SYNC_RESPONSE_BYTES
        && config::MAX_FRAME_BYTES >= config::MAX_DIRECT_BYTES + config::DIRECT_FRAME_OVERHEAD
        && config::MAX_FRAME_BYTES
            >= config::MAX_DIRECT_RESPONSE_BYTES + config::DIRECT_FRAME_OVERHEAD
);

fn decode<M: Serialize + DeserializeOwned>(frame: &[u8]) -> io::Result<M> {
    // The limit is not redundant with the frame's: bincode checks each length inside the frame
    // against it before allocating, and with no limit a peer's 10-byte frame claiming a 2^63-byte
    // string panicked the decoder, or aborted the process on a failed allocation.
    // Canonical: one value, one encoding (see `bureau_core::codec`).
    bureau_core::codec::decode_canonical::<M, { config::MAX_FRAME_BYTES }>(frame)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))
}

impl<Request, Response> request_response::Codec for FrameCodec<Request, Response>
where
    Request: Serialize + DeserializeOwned + Send + 'static,
    Response: Serialize + DeserializeOwned + Send + 'static,
{
    type Protocol = StreamProtocol;
    type Request = Request;
    type Response = Response;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Request>
    where
        T: AsyncRead + Unpin + Send,
    {
        decode(&read_frame(io, self.max_request_bytes).await?)
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Response>
    where
        T: AsyncRead + Unpin + Send,
    {
        decode(&read_frame(io, self.max_response_bytes).await?)
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        request: Request,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(
            io,
            &bureau_core::codec::encode(&request),
            self.max_request_bytes,
        )
        .await
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        response: Response,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_frame(
            io,
            &bureau_core::codec::encode(&response),
            self.max_response_bytes,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{DirectResponse, HelloResponse};

    /// A length inside a frame cannot make the codec allocate it. These frames were found by
    /// the fuzz targets `hello` and `direct` (`scripts/fuzz.sh`): a `Refused` answer whose
    /// reason claims 2^63 bytes (capacity overflow: a panic), and a `Rejected` answer claiming
    /// about 2^56 bytes (a failed allocation: the process aborts). Both are refused now.
    #[test]
    fn a_length_inside_a_frame_is_bounded_by_the_frame_limit() {
        let overflowing = [0x01, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80];
        assert!(decode::<HelloResponse>(&overflowing).is_err());
        let huge = [0x01, 0xfd, 0xa6, 0x07, 0x22, 0x02, 0x22, 0x07, 0x9b, 0x01];
        assert!(decode::<DirectResponse>(&huge).is_err());
        // A frame within the limit still decodes.
        let reason = HelloResponse::Refused {
            reason: "x".repeat(1000),
        };
        let frame = bureau_core::codec::encode(&reason);
        assert!(matches!(
            decode::<HelloResponse>(&frame),
            Ok(HelloResponse::Refused { reason }) if reason.len() == 1000
        ));
    }
}
