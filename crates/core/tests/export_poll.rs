//! The poll schedule against simulated export lifecycles (the sandbox's: `PENDING` for
//! 1 s, then a percentage rising linearly and shown floored, at most 99, then `DONE`).
//! Expected values are worked out by hand in the comments.

use merchant_console_core::export::poll::{PollSchedule, PollState, ProgressMark, RateAnchor};
use merchant_console_core::Millis;

const S: Millis = 1_000;
const MIN: Millis = 60 * S;

/// The sandbox's status `t` ms after the create; `None` once `DONE`.
fn linear(pending: Millis, processing: Millis) -> impl Fn(Millis) -> Option<ProgressMark> {
    move |t| {
        if t >= pending + processing {
            None
        } else if t < pending {
            Some(ProgressMark {
                started: false,
                percent: 0,
            })
        } else {
            Some(ProgressMark {
                started: true,
                percent: ((t - pending) * 100 / processing).min(99) as u8,
            })
        }
    }
}

/// Polls (create at 0) until `DONE` or `until`; the times of the polls and the state.
fn run(
    s: &PollSchedule,
    status: impl Fn(Millis) -> Option<ProgressMark>,
    until: Millis,
) -> (Vec<Millis>, PollState) {
    let mut st = s.start(status(0).expect("not done at create"), 0);
    let mut polls = vec![];
    while st.next_poll_at <= until {
        let t = st.next_poll_at;
        polls.push(t);
        match status(t) {
            Some(mark) => s.observe(&mut st, mark, t),
            None => break,
        }
    }
    (polls, st)
}

#[test]
fn five_minute_export_costs_22_polls_and_done_is_seen_within_a_second() {
    // Finish at 301 000 ms; percentage p = ⌊(t − 1 000) / 3 000⌋.
    // Poll at (p seen; expected finish F = 1 000 + 100 × (t − 1 000) / p; next gap):
    //    1 000 running 0 % -> anchor (1 000, 0), gap 2 000
    //    3 000   0 %  no estimate yet, gap 3 000
    //    6 000   1 %  F = 501 000, gap 4 500       (grows ×1.5; the cap F−t/3 is larger)
    //   10 500   3 %  F = 317 666, gap 6 750
    //   17 250   5 %  F = 326 000, gap 10 125
    //   27 375   8 %  F = 330 687, gap 15 187
    //   42 562  13 %  F = 320 707, gap 22 780
    //   65 342  21 %  F = 307 390, gap 30 000      (the longest)
    //   95 342  31 %, 125 342  41 %, 155 342  51 %, 185 342  61 %: gap 30 000
    //  215 342  71 %  F = 302 890, gap 29 182      (87 548 left / 3)
    //  244 524  81 %  F = 301 646, gap 19 040
    //  263 564  87 %  F = 302 797, gap 13 077
    //  276 641  91 %  F = 303 902, gap 9 087
    //  285 728  94 %  F = 303 902, gap 6 058
    //  291 786  96 %  F = 303 902, gap 4 038
    //  295 824  98 %  F = 301 840, gap 2 005
    //  297 829  98 %  (no move, same F), 4 011 / 3 -> 2 000
    //  299 829  99 %  F = 302 847, 2 000
    //  301 829  DONE: 829 ms after the finish, 22 polls (the old schedule: 135, 2 000 ms).
    let s = PollSchedule::default();
    let (polls, _) = run(&s, linear(S, 5 * MIN), 10 * MIN);
    let gaps: Vec<Millis> = polls.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(
        gaps,
        vec![
            2_000, 3_000, 4_500, 6_750, 10_125, 15_187, 22_780, 30_000, 30_000, 30_000, 30_000,
            30_000, 29_182, 19_040, 13_077, 9_087, 6_058, 4_038, 2_005, 2_000, 2_000
        ]
    );
    assert_eq!(polls.len(), 22);
    assert_eq!(polls[0], S);
    assert_eq!(*polls.last().unwrap() - (S + 5 * MIN), 829);
}

#[test]
fn long_exports_cost_few_polls_and_done_is_seen_within_two_seconds() {
    let s = PollSchedule::default();
    for (processing, max_polls) in [(MIN, 15), (15 * MIN, 45), (30 * MIN, 75), (60 * MIN, 135)] {
        let (polls, _) = run(&s, linear(S, processing), 3 * processing);
        let delay = *polls.last().unwrap() - (S + processing);
        assert!(
            (0..=2_000).contains(&delay),
            "{processing}: DONE seen {delay} ms late"
        );
        assert!(polls.len() <= max_polls, "{processing}: {}", polls.len());
        // Whatever the length: no gap above 30 s, none below 2 s.
        assert!(polls
            .windows(2)
            .all(|w| (2_000..=30_000).contains(&(w[1] - w[0]))));
    }
}

#[test]
fn quick_exports_are_seen_within_two_seconds() {
    let s = PollSchedule::default();
    // 3 s in all (1 s pending, 2 s running): polls at 1 s (running 0 %) and 3 s (DONE).
    let (polls, _) = run(&s, linear(S, 2 * S), MIN);
    assert_eq!(polls, vec![1_000, 3_000]);
    // 4 s in all: at 3 s 66 % -> F = 1 000 + 100 × 2 000 / 66 = 4 030, 1 030 ms left: the
    // 3 s interval is cut to the 2 s floor; DONE seen at 5 s, 1 s after the finish.
    let (polls, _) = run(&s, linear(S, 3 * S), MIN);
    assert_eq!(polls, vec![1_000, 3_000, 5_000]);
    // Running at the create already, done after 2.5 s: seen at 3 s.
    let (polls, _) = run(&s, linear(0, 2_500), MIN);
    assert_eq!(polls, vec![1_000, 3_000]);
}

#[test]
fn stalled_export_is_flagged_after_ten_minutes_and_still_polled() {
    let s = PollSchedule::default();
    let stuck = |_| {
        Some(ProgressMark {
            started: true,
            percent: 10,
        })
    };
    let (polls, st) = run(&s, stuck, 20 * MIN);
    // 1 s, then gaps 2 000 … 22 780 (up to 65 342 ms), then every 30 s.
    assert_eq!(
        &polls[..8],
        &[1_000, 3_000, 6_000, 10_500, 17_250, 27_375, 42_562, 65_342]
    );
    assert!(polls[7..].windows(2).all(|w| w[1] - w[0] == 30_000));
    assert!(st.stalled);
    // Flagged at the first poll ten minutes after the create: 65 342 + 18 × 30 000.
    let flagged = polls.iter().find(|&&t| t >= 10 * MIN).copied();
    assert_eq!(flagged, Some(605_342));
    let mut probe = s.start(stuck(0).unwrap(), 0);
    for &t in polls.iter().take_while(|&&t| t < 605_342) {
        s.observe(&mut probe, stuck(t).unwrap(), t);
        assert!(!probe.stalled, "{t}");
    }
    s.observe(&mut probe, stuck(605_342).unwrap(), 605_342);
    assert!(probe.stalled);
}

#[test]
fn export_stuck_at_99_backs_off_after_the_expected_finish() {
    let s = PollSchedule::default();
    // The 5-minute export above, but it stays at 99 % instead of finishing.
    let five = linear(S, 5 * MIN);
    let stuck = |t: Millis| five(t.min(S + 5 * MIN - 1));
    let (polls, st) = run(&s, stuck, 20 * MIN);
    // Same as above up to 299 829 (99 %, F = 302 847) and 301 829 (99 %, 1 018 ms left:
    // 2 000). At 303 829 the expected finish has passed: 3 000, 4 500, … up to 30 s.
    let from = polls.iter().position(|&t| t == 299_829).unwrap();
    let gaps: Vec<Millis> = polls[from..].windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(
        &gaps[..9],
        &[2_000, 2_000, 3_000, 4_500, 6_750, 10_125, 15_187, 22_780, 30_000]
    );
    assert!(gaps[9..].iter().all(|&g| g == 30_000));
    // Stalled ten minutes after the last move (299 829).
    assert!(st.stalled);
    assert_eq!(st.last_progress_at, 299_829);
}

#[test]
fn states_saved_by_the_previous_version_still_load() {
    // A PollState as the version without the rate estimate persisted it.
    let old = r#"{"interval_ms":4500,"mark":{"started":true,"percent":40},
        "last_progress_at":50000,"stalled":false,"next_poll_at":54500}"#;
    let mut st: PollState = serde_json::from_str(old).unwrap();
    assert_eq!(st.anchor, None);
    assert_eq!(st.interval_ms, 4_500);
    let s = PollSchedule::default();
    // The next poll anchors the estimate there and goes back to 2 s once.
    s.observe(
        &mut st,
        ProgressMark {
            started: true,
            percent: 42,
        },
        54_500,
    );
    assert_eq!(
        st.anchor,
        Some(RateAnchor {
            at: 54_500,
            percent: 42
        })
    );
    assert_eq!(st.next_poll_at, 56_500);
    // And the new state round-trips.
    let back: PollState = serde_json::from_str(&serde_json::to_string(&st).unwrap()).unwrap();
    assert_eq!(back, st);
    // A saved schedule without the new setting gets its default.
    let cfg: PollSchedule = serde_json::from_str(r#"{"max_interval_ms":20000}"#).unwrap();
    assert_eq!(cfg.remaining_divisor, 3);
    assert_eq!(cfg.max_interval_ms, 20_000);
}
