//! Line charts as inline SVG: deterministic text (fixed decimals) so reports can be
//! snapshot-tested, and no script or external resource so they render offline.

use std::fmt::Write;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 32.0;
const BOTTOM: f64 = 44.0;

/// One line of a chart.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub label: String,
    pub color: &'static str,
    pub dashed: bool,
    pub points: Vec<(f64, f64)>,
}

/// How the x axis is labelled.
#[derive(Debug, Clone, Copy)]
pub(crate) enum XAxis {
    /// Seconds, linear.
    Seconds,
    /// x = -log10(1 - p/100): 0 = p0, 1 = p90, 2 = p99, 3 = p99.9 ...
    Percentile,
    /// Connection-pool sizes, linear, integer ticks.
    PoolSize,
}

/// Step of about `target` ticks between 0 and `max`: 1, 2 or 5 times a power of ten.
fn tick_step(max: f64, target: f64) -> f64 {
    let raw = (max / target).max(f64::MIN_POSITIVE);
    let power = 10f64.powf(raw.log10().floor());
    let unit = raw / power;
    let nice = if unit <= 1.0 {
        1.0
    } else if unit <= 2.0 {
        2.0
    } else if unit <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

fn number(value: f64) -> String {
    if value == value.trunc() && value.abs() < 1e15 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders a chart; lines with no points are left out of the plot but kept in the legend.
pub(crate) fn chart(title: &str, x_axis: XAxis, y_label: &str, lines: &[Line]) -> String {
    let points = lines.iter().flat_map(|l| l.points.iter());
    let (mut x_max, mut y_max) = (0f64, 0f64);
    for (x, y) in points {
        x_max = x_max.max(*x);
        y_max = y_max.max(*y);
    }
    let x_max = match x_axis {
        XAxis::Seconds | XAxis::PoolSize => x_max.max(1.0),
        XAxis::Percentile => x_max.ceil().max(1.0),
    };
    let y_step = tick_step(y_max.max(1e-9), 5.0);
    let y_top = ((y_max / y_step).ceil() * y_step).max(y_step);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let sx = |x: f64| LEFT + x / x_max * plot_w;
    let sy = |y: f64| TOP + plot_h - y / y_top * plot_h;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{title}\">",
        title = escape(title)
    );
    let _ = writeln!(
        svg,
        "<text x=\"{LEFT}\" y=\"18\" class=\"title\">{}</text>",
        escape(title)
    );
    // Horizontal grid and y labels.
    let mut y = 0.0;
    while y <= y_top + y_step / 2.0 {
        let py = sy(y);
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{py:.1}\" x2=\"{:.1}\" y2=\"{py:.1}\" class=\"grid\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            number(y)
        );
        y += y_step;
    }
    // X labels.
    match x_axis {
        XAxis::Seconds | XAxis::PoolSize => {
            let step = match x_axis {
                XAxis::PoolSize => tick_step(x_max, 8.0).max(1.0),
                _ => tick_step(x_max, 8.0),
            };
            let unit = if matches!(x_axis, XAxis::Seconds) {
                "s"
            } else {
                ""
            };
            let mut x = 0.0;
            while x <= x_max + step / 1000.0 {
                let _ = writeln!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{}{unit}</text>",
                    sx(x),
                    TOP + plot_h + 16.0,
                    number(x)
                );
                x += step;
            }
        }
        XAxis::Percentile => {
            for decade in 0..=(x_max as u32) {
                let label = if decade == 0 {
                    "0%".to_owned()
                } else {
                    format!("{}%", 100.0 - 100.0 / 10f64.powi(decade as i32))
                };
                let _ = writeln!(
                    svg,
                    "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{:.1}\" class=\"grid\"/>\
                     <text x=\"{x:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{label}</text>",
                    TOP + plot_h,
                    TOP + plot_h + 16.0,
                    x = sx(f64::from(decade)),
                );
            }
        }
    }
    let x_label = match x_axis {
        XAxis::Seconds => "time since start of measurement",
        XAxis::Percentile => "percentile",
        XAxis::PoolSize => "pool size (connections)",
    };
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\">{x_label}</text>\
         <text x=\"14\" y=\"{:.1}\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1})\">{}</text>",
        LEFT + plot_w / 2.0,
        HEIGHT - 6.0,
        TOP + plot_h / 2.0,
        TOP + plot_h / 2.0,
        escape(y_label)
    );
    let _ = writeln!(
        svg,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_w:.1}\" height=\"{plot_h:.1}\" class=\"frame\"/>"
    );
    for line in lines.iter().filter(|l| !l.points.is_empty()) {
        let mut path = String::new();
        for (i, (x, y)) in line.points.iter().enumerate() {
            let _ = write!(
                path,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                sx(*x),
                sy(*y)
            );
        }
        let _ = writeln!(
            svg,
            "<path d=\"{path}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>",
            line.color,
            if line.dashed {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            }
        );
    }
    // Legend, top right.
    let mut lx = WIDTH - RIGHT - 8.0;
    for line in lines.iter().rev() {
        let width = 28.0 + 7.0 * line.label.chars().count() as f64;
        lx -= width;
        let _ = writeln!(
            svg,
            "<line x1=\"{lx:.1}\" y1=\"14\" x2=\"{:.1}\" y2=\"14\" stroke=\"{}\" stroke-width=\"2\"{}/>\
             <text x=\"{:.1}\" y=\"18\" class=\"legend\">{}</text>",
            lx + 18.0,
            line.color,
            if line.dashed {
                " stroke-dasharray=\"6 4\""
            } else {
                ""
            },
            lx + 22.0,
            escape(&line.label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(100.0, 5.0), 20.0);
        assert_eq!(tick_step(7.0, 5.0), 2.0);
        assert_eq!(tick_step(0.3, 5.0), 0.1);
    }

    #[test]
    fn charts_escape_labels_and_skip_empty_lines() {
        let svg = chart(
            "a <b>",
            XAxis::Seconds,
            "ms",
            &[
                Line {
                    label: "x&y".into(),
                    color: "#000",
                    dashed: false,
                    points: vec![(0.0, 1.0), (1.0, 2.0)],
                },
                Line {
                    label: "none".into(),
                    color: "#111",
                    dashed: true,
                    points: vec![],
                },
            ],
        );
        assert!(svg.contains("a &lt;b&gt;") && svg.contains("x&amp;y"));
        assert_eq!(svg.matches("<path").count(), 1);
    }
}
